import type { Dim, DType } from '../../ir/index.js';
import { ModelFormatError } from '../../ir/index.js';
import { dtypeOfOnnx } from './dtypes.js';
import type { TypeProto } from './proto.js';
import { onnxTypeName, toInt } from './proto.js';

/**
 * What a model declares about a value (a graph input, a `value_info` entry, a graph output)
 * set against what the value is (its initializer, or what the importer computed). Where they
 * contradict each other the model is malformed: a ModelFormatError names the value and both
 * types, instead of one silently winning.
 *
 * The rule, dim by dim:
 * - a declared size (dim_value) contradicts a different size; against a symbolic dim it is
 *   no contradiction (the size may be what the symbol stands for);
 * - a declared name (dim_param) contradicts nothing: 'N' against 3 says N is 3 here, and 'N'
 *   against 'M' may be two names for one size the importer cannot relate;
 * - an unknown dim (neither set) contradicts nothing.
 * A declared shape has a rank (zero dims: a scalar) that must match; no shape at all declares
 * nothing about it. Element types compare as the dtype the device holds them in (int64 and
 * int32 are both i32), except an input against its initializer, which are both ONNX types
 * and must be the same one.
 */

/** A declared tensor type: the ONNX element type (0 when not given) and dims (null: rank unknown). */
export interface DeclaredType {
  readonly onnxType: number;
  readonly dims: readonly (number | string | undefined)[] | null;
}

/** The tensor type a TypeProto declares, or undefined for a non-tensor or typeless one (nothing to compare). */
export function declaredType(type: TypeProto | null | undefined, what: string): DeclaredType | undefined {
  const tensor = type?.tensorType;
  if (!tensor) return undefined;
  const onnxType = tensor.elemType ?? 0;
  if (!tensor.shape) return { onnxType, dims: null };
  const dims = (tensor.shape.dim ?? []).map((d) => {
    if (d.dimValue !== null && d.dimValue !== undefined) {
      const v = toInt(d.dimValue);
      if (!Number.isSafeInteger(v) || v < 0) throw new ModelFormatError(`${what}: invalid dim ${v}`);
      return v;
    }
    return d.dimParam || undefined;
  });
  return { onnxType, dims };
}

function showDeclared(t: DeclaredType): string {
  const element = t.onnxType ? onnxTypeName(t.onnxType) : 'any';
  return t.dims ? `${element}[${t.dims.map((d) => d ?? '?').join(',')}]` : `${element} (any shape)`;
}

function shapesContradict(declared: DeclaredType['dims'], actual: readonly Dim[]): boolean {
  if (declared === null) return false;
  if (declared.length !== actual.length) return true;
  return declared.some((d, i) => typeof d === 'number' && typeof actual[i] === 'number' && d !== actual[i]);
}

/** The dtype a declared element type is held in, or undefined for one the device has no dtype for. */
function heldAs(onnxType: number): DType | undefined {
  try {
    return dtypeOfOnnx(onnxType, '');
  } catch {
    return undefined;
  }
}

/**
 * A computed value against its declaration. `what` names the declaration ("value_info 'h'",
 * "graph output 'y'"); the message says what the graph computes.
 */
export function checkComputed(what: string, declared: DeclaredType, actual: { readonly dtype: DType; readonly shape: readonly Dim[] }): void {
  const dtypeContradicts = declared.onnxType !== 0 && heldAs(declared.onnxType) !== actual.dtype;
  if (!dtypeContradicts && !shapesContradict(declared.dims, actual.shape)) return;
  throw new ModelFormatError(`${what} declares ${showDeclared(declared)}, but the graph computes ${actual.dtype}[${actual.shape.join(',')}]`);
}

/** A graph input's declaration against the initializer of the same name (both ONNX types). */
export function checkInitializer(name: string, declared: DeclaredType, initializer: { readonly onnxType: number; readonly shape: readonly number[] }): void {
  const typeContradicts = declared.onnxType !== 0 && declared.onnxType !== initializer.onnxType;
  if (!typeContradicts && !shapesContradict(declared.dims, initializer.shape)) return;
  throw new ModelFormatError(`input '${name}' declares ${showDeclared(declared)}, but its initializer holds ${onnxTypeName(initializer.onnxType)}[${initializer.shape.join(',')}]`);
}
