import { describe, expect, it } from 'vitest';
import type { DType, HostTensor } from '../../ir/index.js';
import { hostTensor } from '../../ir/index.js';
import { closeEnough, expectClose } from './compare.js';

/** The checker must be able to fail: each case here is one it has to catch. */
const f32 = (...values: number[]): HostTensor => hostTensor('f32', [values.length], values);
const of = (dtype: DType, ...values: number[]): HostTensor => hostTensor(dtype, [values.length], values);
const tol = { rtol: 1e-3, atol: 1e-6 };

describe('expectClose', () => {
  it('passes values within atol + rtol·|expected|', () => {
    expectClose(f32(1, -2, 0, 1e6), f32(1.0009, -2.0019, 5e-7, 1e6 + 999), tol);
  });

  it('fails a value just past the tolerance', () => {
    expect(() => expectClose(f32(1, 1.0011), f32(1, 1), tol, 'y')).toThrow(/y: 1 of 2 elements differ; worst is element 1: 1.00109/);
  });

  it('fails NaN where a finite value is expected', () => {
    expect(() => expectClose(f32(1, NaN, 3), f32(1, 2, 3), tol)).toThrow(/element 1: NaN, expected 2/);
    expect(() => expectClose(f32(NaN), f32(0), { rtol: 1, atol: 1e9 })).toThrow(/NaN/);
  });

  it('fails ±inf where a finite value is expected, and a finite value where inf is', () => {
    expect(() => expectClose(f32(Infinity), f32(3e38), { rtol: 1, atol: 1e38 })).toThrow(/Infinity, expected 3/);
    expect(() => expectClose(f32(-Infinity), f32(-1), tol)).toThrow(/-Infinity/);
    expect(() => expectClose(f32(3e38), f32(Infinity), { rtol: 1, atol: 1e38 })).toThrow(/expected Infinity/);
  });

  it('matches NaN only with NaN, and an inf only with the same inf', () => {
    expectClose(f32(NaN, Infinity, -Infinity), f32(NaN, Infinity, -Infinity), tol);
    expect(() => expectClose(f32(0), f32(NaN), tol)).toThrow(/expected NaN/);
    expect(() => expectClose(f32(Infinity), f32(NaN), tol)).toThrow(/expected NaN/);
    expect(() => expectClose(f32(-Infinity), f32(Infinity), tol)).toThrow(/-Infinity, expected Infinity/);
  });

  it('reports the worst element and how many differ', () => {
    expect(() => expectClose(f32(1.1, NaN, 1.5), f32(1, 1, 1), tol)).toThrow(/3 of 3 elements differ; worst is element 1: NaN/);
  });

  it('compares integers and bools exactly', () => {
    expectClose(of('i32', 3, -4), of('i32', 3, -4));
    expect(() => expectClose(of('i32', 3, -4), of('i32', 3, -5), { rtol: 1, atol: 10 })).toThrow(/element 1: -4, expected -5/);
    expect(() => expectClose(of('bool', 1), of('bool', 0), { rtol: 1, atol: 10 })).toThrow(/expected 0/);
  });

  it('compares f16 tensors by value, not by their raw bits', () => {
    const half = (...bitPatterns: number[]): HostTensor => ({ dtype: 'f16', shape: [bitPatterns.length], data: Uint16Array.from(bitPatterns) });
    // 0x3c00 = 1.0, 0x3c01 = 1.000977 (one ulp); 0x7e00 = NaN; 0x7c00 = +inf.
    expectClose(half(0x3c01), half(0x3c00), { rtol: 1e-3, atol: 0 });
    expect(() => expectClose(half(0x7e00), half(0x3c00), { rtol: 1, atol: 1e4 })).toThrow(/NaN, expected 1/);
    expect(() => expectClose(half(0x7c00), half(0x3c00), { rtol: 1, atol: 1e4 })).toThrow(/Infinity, expected 1/);
    // As raw bits 0x3c10 is within 1e-3 of 0x3c00 (15376 vs 15360); as values it is 1.0156 vs 1.
    expect(() => expectClose(half(0x3c10), half(0x3c00), { rtol: 1e-3, atol: 0 })).toThrow(/1.015625, expected 1/);
  });

  it('fails a NaN dim, which toEqual would take as equal to NaN', () => {
    // The reference once made [NaN, 2] of a symbolic dim with no data at all: two empty tensors "matched".
    const broken = (): HostTensor => ({ dtype: 'f32', shape: [NaN, 2], data: new Float32Array(0) });
    expect(() => expectClose(broken(), broken())).toThrow(/shape \[NaN,2\], expected \[NaN,2\]/);
  });

  it('fails on dtype, shape and length differences', () => {
    expect(() => expectClose(of('i32', 1), f32(1))).toThrow(/dtype/);
    expect(() => expectClose(hostTensor('f32', [1, 2], [1, 2]), f32(1, 2))).toThrow(/shape/);
  });
});

describe('closeEnough', () => {
  it('is false for NaN against any finite expectation, whatever the tolerance', () => {
    expect(closeEnough(NaN, 0, { rtol: Infinity, atol: Infinity })).toBe(false);
    expect(closeEnough(Infinity, 0, { rtol: Infinity, atol: Infinity })).toBe(false);
    expect(closeEnough(NaN, NaN, tol)).toBe(true);
    expect(closeEnough(5, 5, tol, true)).toBe(true);
    expect(closeEnough(5, 5.0000001, tol, true)).toBe(false);
  });
});
