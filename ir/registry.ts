import { DTYPES } from './dtype.js';
import { DTypeError, ShapeError, UnsupportedOpError } from './errors.js';
import type { AttrValue, Attrs } from './graph.js';
import { Registry } from './named_registry.js';
import type { Dim } from './dim_expr.js';
import type { TensorType } from './tensor.js';

/**
 * Fusion categories (TVM's FuseOps pattern kinds): they decide what may fuse into what.
 * elementwise ⊂ broadcast ⊂ injective can always be inlined into a consumer as index
 * arithmetic; a group has at most one reduction or contraction anchor.
 */
export type FusionCategory = 'elementwise' | 'broadcast' | 'injective' | 'reduction' | 'contraction' | 'opaque';

export type AttrKind = 'int' | 'float' | 'bool' | 'string' | 'ints' | 'floats' | 'dims' | 'strings' | 'dtype' | 'tensor';

export interface AttrSpec {
  readonly kind: AttrKind;
  /** Absent default means the attribute is required. */
  readonly default?: AttrValue;
}

/** What shape/dtype inference is told about where it runs, for error messages. */
export interface InferContext {
  /** e.g. "matmul 'fc1/MatMul'" */
  readonly where: string;
}

/** A condition on sizes an op needs that its shape inference cannot check while they are symbolic: dim ≥ min. */
export interface DimConstraint {
  readonly dim: Dim;
  readonly min: number;
  /** What needs it, for the error when a binding breaks it (e.g. "maxPool 'p': input height + pads must cover the window"). */
  readonly what: string;
}

export interface OpDef {
  readonly name: string;
  readonly category: FusionCategory;
  /** Number of inputs accepted; max Infinity for variadic ops. */
  readonly arity: readonly [min: number, max: number];
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** Shape and dtype inference; throws ShapeError/DTypeError naming ctx.where. */
  infer(inputs: readonly TensorType[], attrs: Attrs, ctx: InferContext): TensorType[];
  /**
   * What the op needs of symbolic sizes that a static compile would have checked in `infer`
   * (a window no larger than its padded input): plans record them, bindings are held to them.
   */
  constraints?(inputs: readonly TensorType[], attrs: Attrs, ctx: InferContext): DimConstraint[];
}

/** Every op of the IR by name; each op family file under ir/ops registers its ops here. */
export const opRegistry = new Registry<OpDef>('op', (name, where) => new UnsupportedOpError(`${where}: unknown op '${name}'`));

export function registerOp(def: OpDef): OpDef {
  return opRegistry.register(def.name, def);
}

export function hasOp(name: string): boolean {
  return opRegistry.has(name);
}

export function getOp(name: string, where = name): OpDef {
  return opRegistry.get(name, where);
}

export function allOps(): OpDef[] {
  return opRegistry.values();
}

function kindOf(v: AttrValue): AttrKind | 'list' {
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'list';
  return 'tensor';
}

function accepts(kind: AttrKind, v: AttrValue): boolean {
  const k = kindOf(v);
  switch (kind) {
    case 'int':
      return k === 'int';
    case 'float':
      return k === 'int' || k === 'float';
    case 'bool':
      return k === 'bool';
    case 'string':
      return k === 'string';
    case 'dtype':
      return k === 'string' && (DTYPES as readonly string[]).includes(v as string);
    case 'tensor':
      return k === 'tensor';
    case 'ints':
      return k === 'list' && (v as readonly unknown[]).every((x) => typeof x === 'number' && Number.isInteger(x));
    case 'floats':
      return k === 'list' && (v as readonly unknown[]).every((x) => typeof x === 'number');
    case 'dims':
      return k === 'list' && (v as readonly unknown[]).every((x) => (typeof x === 'number' && Number.isInteger(x)) || typeof x === 'string');
    case 'strings':
      return k === 'list' && (v as readonly unknown[]).every((x) => typeof x === 'string');
    default:
      return kind satisfies never;
  }
}

/** Checks attributes against the schema and fills defaults. */
export function checkAttrs(def: OpDef, attrs: Attrs, where: string): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const key of Object.keys(attrs)) {
    if (!(key in def.attrs)) throw new UnsupportedOpError(`${where}: unknown attribute '${key}'`);
  }
  for (const [key, spec] of Object.entries(def.attrs)) {
    const v = attrs[key] ?? spec.default;
    if (v === undefined) throw new ShapeError(`${where}: missing required attribute '${key}'`);
    if (!accepts(spec.kind, v)) {
      const err = spec.kind === 'dtype' ? DTypeError : ShapeError;
      throw new err(`${where}: attribute '${key}' must be ${spec.kind}, got ${JSON.stringify(v)}`);
    }
    out[key] = v;
  }
  return out;
}

/** Infers output types for an op application: arity, attributes, then the op's own rule. */
export function inferOp(op: string, inputs: readonly TensorType[], attrs: Attrs, where: string): { attrs: Attrs; outputs: TensorType[] } {
  const def = getOp(op, where);
  const [min, max] = def.arity;
  if (inputs.length < min || inputs.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min}..${max}`;
    throw new ShapeError(`${where}: expects ${want} inputs, got ${inputs.length}`);
  }
  const checked = checkAttrs(def, attrs, where);
  return { attrs: checked, outputs: def.infer(inputs, checked, { where }) };
}
