import type { Dim, DType } from '../../../ir/index.js';
import { addDims, mulDims, proveLessEqual, subDims } from '../../../ir/index.js';
import type { WindowGeometry } from '../../../ir/ops/nn.js';
import type { Expr } from '../expr.js';
import { convert, expr, literal } from '../expr.js';
import type { KernelBuilder } from '../kernel_builder.js';

/**
 * WGSL building blocks shared by the sliding-window lowerings: loops over kernel taps, the input
 * position a tap reads (clamped so no read is out of bounds, with a validity flag to mask it),
 * and the inverse, the window that reaches a given input position through a given tap.
 * Bounds the geometry already guarantees are not tested at run time.
 */

/**
 * Nested `for` loops over every tap of a kernel; body gets one u32 loop index per axis. The
 * bounds are opaque to the shader compiler (KernelBuilder.loop), so nested taps stay loops.
 */
export function kernelLoops(b: KernelBuilder, kernel: readonly Dim[], body: (k: string[]) => void, outer: string[] = []): void {
  if (outer.length === kernel.length) return body(outer);
  const axis = outer.length;
  if (kernel[axis] === 1) return kernelLoops(b, kernel, body, [...outer, '0u']);
  b.loopDim(kernel[axis], (k) => kernelLoops(b, kernel, body, [...outer, k]));
}

/** kernelLoops, for the lowerings the generic entry point runs. */
export function windowLoops(b: KernelBuilder, kernel: readonly Dim[], body: (k: string[]) => void): void {
  kernelLoops(b, kernel, body);
}

/** `a && b && ...` of the flags that are not statically true (null = always true). */
export function allOf(flags: readonly (string | null)[]): string | null {
  const real = flags.filter((f): f is string => f !== null);
  return real.length ? real.map((f) => `(${f})`).join(' && ') : null;
}

/** select(zero, value, flag), or value itself when flag is statically true. */
export function masked(value: Expr, flag: string | null): Expr {
  if (flag === null) return value;
  return expr(`select(${literal(0, value.type).code}, ${value.code}, ${flag})`, value.type);
}

export interface Tap {
  /** u32 coordinates, clamped into the input. */
  readonly coords: string[];
  /** True where the tap lies inside the input (null: always). */
  readonly valid: string | null;
  /** Per axis: true where the tap lies inside the input or its end padding (null: always). */
  readonly insidePadded: string | null;
}

/**
 * The input position of tap k of the window at output position o, per axis
 * p = o·s − padBegin + k·d, for an input of `inSpatial` and `outSpatial` windows.
 */
export function windowTap(b: KernelBuilder, g: WindowGeometry, o: readonly string[], k: readonly string[], inSpatial: readonly Dim[], outSpatial: readonly Dim[]): Tap {
  const coords: string[] = [];
  const valid: (string | null)[] = [];
  const padded: (string | null)[] = [];
  o.forEach((oa, a) => {
    const s = g.strides[a];
    const d = g.dilations[a];
    const pb = g.padsBegin[a];
    const size = inSpatial[a];
    const paddedSize = addDims(size, g.padsEnd[a]);
    // The furthest position any tap reaches; tests it provably passes are left out.
    const maxPos = addDims(mulDims(subDims(outSpatial[a], 1), s), (g.kernel[a] - 1) * d - pb);
    const inside = proveLessEqual(addDims(maxPos, 1), size);
    const insidePadded = proveLessEqual(addDims(maxPos, 1), paddedSize);
    const offset = `${s === 1 ? oa : `${oa} * ${s}u`}${k[a] === '0u' ? '' : d === 1 ? ` + ${k[a]}` : ` + ${k[a]} * ${d}u`}`;
    if (pb === 0) {
      // Never below zero: stay in u32 and only the upper bound may need a test.
      const p = b.let(expr(offset, 'u32'), 'p').code;
      coords.push(inside ? p : b.let(expr(`min(${p}, ${b.size(subDims(size, 1))})`, 'u32'), 'q').code);
      valid.push(inside ? null : `${p} < ${b.size(size)}`);
      padded.push(insidePadded ? null : `${p} < ${b.size(paddedSize)}`);
      return;
    }
    const p = b.let(expr(`i32(${offset}) - ${pb}i`, 'i32'), 'p').code;
    coords.push(b.let(expr(`u32(clamp(${p}, 0i, ${b.sizeAs(subDims(size, 1), 'i32').code}))`, 'u32'), 'q').code);
    valid.push(inside ? `${p} >= 0i` : `${p} >= 0i && ${p} < ${b.sizeAs(size, 'i32').code}`);
    padded.push(insidePadded ? null : `${p} < ${b.sizeAs(paddedSize, 'i32').code}`);
  });
  return { coords, valid: allOf(valid), insidePadded: allOf(padded) };
}

export interface Window {
  /** u32 window (forward output) coordinates, clamped into range. */
  readonly coords: string[];
  /** True where tap k of that window really lands on the given position (null: always). */
  readonly valid: string | null;
}

/**
 * The window whose tap k reads input position i: per axis o = (i + padBegin − k·d) / s when
 * that divides exactly and 0 ≤ o < outSpatial. The gather form of a transposed convolution.
 */
export function windowReaching(b: KernelBuilder, g: WindowGeometry, i: readonly string[], k: readonly string[], outSpatial: readonly Dim[]): Window {
  const coords: string[] = [];
  const valid: string[] = [];
  i.forEach((ia, a) => {
    const s = g.strides[a];
    const d = g.dilations[a];
    const pb = g.padsBegin[a];
    const shift = k[a] === '0u' ? '' : d === 1 ? ` - i32(${k[a]})` : ` - i32(${k[a]} * ${d}u)`;
    const pad = pb === 0 ? '' : ` ${pb < 0 ? '-' : '+'} ${Math.abs(pb)}i`;
    const t = b.let(expr(`i32(${ia})${pad}${shift}`, 'i32'), 't').code;
    const o = s === 1 ? t : b.let(expr(`${t} / ${s}i`, 'i32'), 'o').code;
    coords.push(b.let(expr(`u32(clamp(${o}, 0i, ${b.sizeAs(subDims(outSpatial[a], 1), 'i32').code}))`, 'u32'), 'w').code);
    valid.push(`${t} >= 0i`);
    if (s !== 1) valid.push(`${t} % ${s}i == 0i`);
    valid.push(`${o} < ${b.sizeAs(outSpatial[a], 'i32').code}`);
  });
  return { coords, valid: allOf(valid) };
}

/** Floats accumulate in f32 (f16 included); integers in their own type. */
export function accumulatorType(dtype: DType): 'f32' | 'i32' | 'u32' {
  return dtype === 'i32' || dtype === 'u32' ? dtype : 'f32';
}

export function toAccumulator(e: Expr, dtype: DType): Expr {
  return convert(e, accumulatorType(dtype));
}
