import type { Dim, DType } from '../../ir/index.js';
import { dimFromName, formatShape, InputError, ModelFormatError, UnsupportedOpError } from '../../ir/index.js';
import { dtypeOfOnnx } from './dtypes.js';
import type { ModelProto, TypeProto, ValueInfoProto } from './proto.js';
import { toInt } from './proto.js';

/** A graph input or output as declared in the model. */
export interface OnnxTensorInfo {
  readonly name: string;
  /** The dawnflow dtype it maps to. */
  readonly dtype: DType;
  /** The ONNX element type (outputs are written back in it: int64 stays int64 in .npy files). */
  readonly onnxType: number;
  /** Declared dims: sizes, dim_param names, or invented names for unknown dims; null when even the rank is unknown. */
  readonly shape: Dim[] | null;
}

/** Why a value's type is out of scope: sequences, maps, optionals, sparse tensors. */
export function nonTensorKind(type: TypeProto | null | undefined): string | undefined {
  if (!type) return undefined;
  if (type.sequenceType) return 'sequence';
  if (type.mapType) return 'map';
  if (type.optionalType) return 'optional';
  if (type.sparseTensorType) return 'sparse tensor';
  return undefined;
}

/** Reads a ValueInfoProto's tensor type; `what` is "input 'x'" or "output 'y'". */
export function tensorInfo(info: ValueInfoProto, what: string): OnnxTensorInfo {
  const name = info.name ?? '';
  const kind = nonTensorKind(info.type);
  if (kind) throw new UnsupportedOpError(`${what} has a ${kind} type; only tensors are supported`);
  const tensor = info.type?.tensorType;
  if (!tensor) throw new ModelFormatError(`${what} has no tensor type`);
  const onnxType = tensor.elemType ?? 0;
  if (onnxType === 0) throw new ModelFormatError(`${what} has no element type`);
  const dtype = dtypeOfOnnx(onnxType, what);
  if (!tensor.shape) return { name, dtype, onnxType, shape: null };
  const shape = (tensor.shape.dim ?? []).map((d, i): Dim => {
    if (d.dimValue !== null && d.dimValue !== undefined) {
      const v = toInt(d.dimValue);
      if (!Number.isSafeInteger(v) || v < 0) throw new ModelFormatError(`${what}: invalid dim ${v}`);
      return v;
    }
    // Names become dims as expressions allow them ('batch', 'past_sequence_length + 1'); others are spelled as symbols.
    return dimFromName(d.dimParam ? d.dimParam : `${name}_dim${i}`);
  });
  return { name, dtype, onnxType, shape };
}

/**
 * Applies caller-given shapes and dim sizes to declared input shapes. A static dim that
 * disagrees, or a symbol bound to two sizes, is an InputError naming the input.
 */
export function bindInputShapes(
  inputs: readonly OnnxTensorInfo[],
  shapes: Readonly<Record<string, readonly number[]>> = {},
  dims: Readonly<Record<string, number>> = {},
): OnnxTensorInfo[] {
  const bound = new Map<string, number>(Object.entries(dims));
  for (const info of inputs) {
    const given = shapes[info.name];
    if (!given) continue;
    const declared = info.shape ?? given;
    if (given.length !== declared.length) {
      throw new InputError(`input '${info.name}' has shape ${formatShape(given)}, the model expects rank ${declared.length} ${formatShape(declared)}`);
    }
    declared.forEach((d, i) => {
      if (typeof d === 'number' && d !== given[i]) throw new InputError(`input '${info.name}' has shape ${formatShape(given)}, the model expects ${formatShape(declared)}`);
      if (typeof d === 'string') {
        const prior = bound.get(d);
        if (prior !== undefined && prior !== given[i]) {
          throw new InputError(`input '${info.name}' has shape ${formatShape(given)}: dim '${d}' is ${given[i]} here but ${prior} elsewhere`);
        }
        bound.set(d, given[i]);
      }
    });
  }
  for (const [name, given] of Object.entries(shapes)) {
    if (!inputs.some((i) => i.name === name)) throw new InputError(`the model has no input '${name}' (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    if (given.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new InputError(`input '${name}': invalid shape ${formatShape(given)}`);
  }
  return inputs.map((info) => {
    const given = shapes[info.name];
    if (given) return { ...info, shape: [...given] };
    return { ...info, shape: info.shape && info.shape.map((d) => (typeof d === 'string' ? (bound.get(d) ?? d) : d)) };
  });
}

/** A model's declared graph inputs (initializers excluded) and outputs, without importing it. */
export function modelSignature(model: ModelProto): { inputs: OnnxTensorInfo[]; outputs: OnnxTensorInfo[] } {
  const graph = model.graph ?? {};
  const initialized = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((i) => !initialized.has(i.name ?? '')).map((i) => tensorInfo(i, `input '${i.name}'`));
  const outputs = (graph.output ?? []).map((o) =>
    o.type?.tensorType?.elemType ? tensorInfo(o, `output '${o.name}'`) : { name: o.name ?? '', dtype: 'f32' as const, onnxType: 0, shape: null },
  );
  return { inputs, outputs };
}
