import type { DType } from '../../ir/index.js';
import { UnsupportedOpError } from '../../ir/index.js';

/** Scalar types of WGSL expressions inside kernels (bool tensors are stored as u32 words). */
export type WgslType = 'f32' | 'f16' | 'i32' | 'u32' | 'bool';

/** A WGSL expression and its scalar type. */
export interface Expr {
  readonly code: string;
  readonly type: WgslType;
}

export function expr(code: string, type: WgslType): Expr {
  return { code, type };
}

/** The WGSL type of a tensor's elements as seen by arithmetic. */
export function scalarType(dtype: DType): WgslType {
  return dtype;
}

/** The WGSL element type of a tensor's storage array. */
export function storageType(dtype: DType): string {
  return dtype === 'bool' ? 'u32' : dtype;
}

/** A literal of a type; non-finite floats become bit patterns (WGSL has no inf/nan literals). */
export function literal(value: number | boolean, type: WgslType): Expr {
  switch (type) {
    case 'bool':
      return expr(value ? 'true' : 'false', type);
    case 'i32': {
      const v = Number(value) | 0;
      // -2147483648 is not a valid WGSL literal; spell it as an expression.
      return expr(v === -2147483648 ? 'i32(-2147483647 - 1)' : `${v}i`, type);
    }
    case 'u32':
      return expr(`${Number(value) >>> 0}u`, type);
    case 'f32':
    case 'f16': {
      const v = Number(value);
      // Non-finite constants are errors in WGSL const-expressions: compute them at run time.
      if (Number.isNaN(v)) return expr(`${NON_FINITE.nan}()`, 'f32');
      if (v === Infinity) return expr(`${NON_FINITE.inf}()`, 'f32');
      if (v === -Infinity) return expr(`(-${NON_FINITE.inf}())`, 'f32');
      const f = Math.fround(v);
      if (f === Infinity || f === -Infinity) return literal(f, type);
      let s = f === 0 ? (Object.is(f, -0) ? '-0.0' : '0.0') : f.toPrecision(9);
      if (!/[.eE]/.test(s)) s += '.0';
      return expr(type === 'f16' ? `${s}h` : `${s}f`, type);
    }
    default:
      return type satisfies never;
  }
}

/** Helpers producing non-finite floats at run time; the kernel builder emits them on use. */
export const NON_FINITE = { nan: 'df_nan', inf: 'df_inf' } as const;

export const NON_FINITE_HELPERS: Readonly<Record<string, string>> = {
  df_nan: 'fn df_nan() -> f32 {\n  var bits = 0x7fc00000u;\n  return bitcast<f32>(bits);\n}\n',
  df_inf: 'fn df_inf() -> f32 {\n  var bits = 0x7f800000u;\n  return bitcast<f32>(bits);\n}\n',
};

/** Converts between scalar types with dawnflow's cast semantics. */
export function convert(e: Expr, to: WgslType): Expr {
  if (e.type === to) return e;
  if (to === 'bool') {
    const zero = literal(0, e.type).code;
    return expr(`(${e.code} != ${zero})`, 'bool');
  }
  if (e.type === 'bool') {
    return expr(`select(${literal(0, to).code}, ${literal(1, to).code}, ${e.code})`, to);
  }
  if ((e.type === 'f32' || e.type === 'f16') && (to === 'i32' || to === 'u32')) {
    // WGSL clamps out-of-range float→int conversions; NaN becomes 0.
    return expr(`${to}(${e.code})`, to);
  }
  if (e.type === 'i32' && to === 'u32') return expr(`bitcast<u32>(${e.code})`, to);
  if (e.type === 'u32' && to === 'i32') return expr(`bitcast<i32>(${e.code})`, to);
  if (to === 'f32' || to === 'f16' || to === 'i32' || to === 'u32') return expr(`${to}(${e.code})`, to);
  throw new UnsupportedOpError(`cast from ${e.type} to ${to as string} is not supported`);
}

/** Loads from storage: bool words become bool. */
export function fromStorage(code: string, dtype: DType): Expr {
  return dtype === 'bool' ? expr(`(${code} != 0u)`, 'bool') : expr(code, dtype);
}

/** Stores to storage: bool becomes a u32 word. */
export function toStorage(e: Expr, dtype: DType): string {
  return dtype === 'bool' ? convert(e, 'u32').code : convert(e, dtype).code;
}
