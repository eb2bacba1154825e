import type { Value } from '../../ir/index.js';
import { ModelFormatError } from '../../ir/index.js';
import type { OnnxNodeView } from './context.js';
import type { AttributeProto, ModelProto, NodeProto } from './proto.js';
import { toInt } from './proto.js';

/**
 * Model-local functions (ModelProto.functions): a node calling one is replaced by the
 * function's body, with its formal inputs bound to the node's inputs and attribute references
 * (ref_attr_name) resolved against the node's attributes.
 */

export interface LocalFunction {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly body: readonly NodeProto[];
  readonly opsets: ReadonlyMap<string, number>;
}

export type LocalFunctions = ReadonlyMap<string, LocalFunction>;

/** The minimum of a name scope a function body is imported into. */
export interface FunctionScope {
  set(name: string, v: Value): void;
  get(name: string): unknown;
}

export function localFunctions(model: ModelProto): LocalFunctions {
  const out = new Map<string, LocalFunction>();
  const modelOpsets = new Map((model.opsetImport ?? []).map((o) => [o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), toInt(o.version)]));
  for (const f of model.functions ?? []) {
    const domain = f.domain === 'ai.onnx' ? '' : (f.domain ?? '');
    const opsets = new Map(modelOpsets);
    for (const o of f.opsetImport ?? []) opsets.set(o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), toInt(o.version));
    out.set(`${domain}::${f.name ?? ''}`, { name: f.name ?? '', inputs: f.input ?? [], outputs: f.output ?? [], body: f.node ?? [], opsets });
  }
  return out;
}

/** Body attributes with every ref_attr_name replaced by the caller's attribute (or dropped). */
function resolveAttributes(attrs: readonly AttributeProto[], caller: OnnxNodeView): AttributeProto[] {
  return attrs.flatMap((a) => {
    if (!a.refAttrName) return [a];
    const given = caller.attrs.raw(a.refAttrName);
    return given ? [{ ...given, name: a.name }] : [];
  });
}

export function inlineFunction<S extends FunctionScope>(
  fn: LocalFunction,
  caller: OnnxNodeView,
  importBody: (nodes: readonly NodeProto[], scope: S, opsets: ReadonlyMap<string, number>, prefix: string) => void,
  newScope: () => S,
): (Value | undefined)[] {
  if (caller.inputs.length > fn.inputs.length) {
    throw new ModelFormatError(`${caller.where}: function '${fn.name}' takes ${fn.inputs.length} inputs, the node gives ${caller.inputs.length}`);
  }
  const scope = newScope();
  fn.inputs.forEach((formal, i) => {
    const actual = caller.inputs[i];
    if (actual) scope.set(formal, actual);
  });
  const body = fn.body.map((n) => ({ ...n, attribute: resolveAttributes(n.attribute ?? [], caller) }));
  importBody(body, scope, fn.opsets, `${caller.name}/`);
  return fn.outputs.map((formal) => {
    const b = scope.get(formal);
    return b && typeof b === 'object' && 'producer' in b ? (b as Value) : undefined;
  });
}
