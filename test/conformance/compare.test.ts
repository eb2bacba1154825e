import { describe, expect, it } from 'vitest';
import type { DecodedTensor } from '../../compiler/onnx/tensor_proto.js';
import type { HostTensor } from '../../ir/index.js';
import { hostTensor } from '../../ir/index.js';
import { compareOutput } from '../../scripts/conformance/compare.js';

/** The conformance comparer must be able to fail: NaN, infinities, f16 values, wide integers. */
const f32 = (...values: number[]): HostTensor => hostTensor('f32', [values.length], values);
const want = (tensor: HostTensor, wide?: Float64Array): DecodedTensor => ({ name: 'y', onnxType: 1, tensor, ...(wide ? { wide } : {}) });
const tol = { rtol: 1e-3, atol: 1e-7 };

describe('compareOutput (the ONNX backend tests\' rule)', () => {
  it('passes values within atol + rtol·|expected|, and NaN against NaN', () => {
    expect(compareOutput('y', f32(1.0009, NaN, Infinity, 0), want(f32(1, NaN, Infinity, 0)), tol)).toBeUndefined();
  });

  it('fails NaN or ±inf where a finite value is expected, and a finite value where NaN or inf is', () => {
    expect(compareOutput('y', f32(1, NaN), want(f32(1, 2)), { rtol: 1, atol: 1e9 })).toBe("output 'y': 1 of 2 elements differ; element 1 is NaN, expected 2 (max |diff| Infinity, rtol 1, atol 1000000000)");
    expect(compareOutput('y', f32(Infinity), want(f32(3e38)), { rtol: 1, atol: 1e38 })).toMatch(/element 0 is Infinity, expected [0-9.e+]+ /);
    expect(compareOutput('y', f32(0), want(f32(NaN)), tol)).toMatch(/element 0 is 0, expected NaN/);
    expect(compareOutput('y', f32(-Infinity), want(f32(Infinity)), tol)).toMatch(/element 0 is -Infinity, expected Infinity/);
    expect(compareOutput('y', f32(1, 1.0011), want(f32(1, 1)), tol)).toMatch(/1 of 2 elements differ; element 1/);
  });

  it('compares shapes, dtypes, integers exactly, f16 by value and wide integers by their exact value', () => {
    expect(compareOutput('y', hostTensor('f32', [2, 1], [1, 2]), want(f32(1, 2)))).toBe("output 'y' has shape [2,1], expected [2]");
    expect(compareOutput('y', hostTensor('i32', [1], [5]), want(hostTensor('i32', [1], [6])), { rtol: 1, atol: 10 })).toMatch(/element 0 is 5, expected 6/);
    const half = (...bitPatterns: number[]): HostTensor => ({ dtype: 'f16', shape: [bitPatterns.length], data: Uint16Array.from(bitPatterns) });
    expect(compareOutput('y', half(0x3c01), want(half(0x3c00)), { rtol: 1e-3, atol: 0 })).toBeUndefined();
    expect(compareOutput('y', half(0x3c10), want(half(0x3c00)), { rtol: 1e-3, atol: 0 })).toMatch(/element 0 is 1\.015625, expected 1/);
    expect(compareOutput('y', half(0x7e00), want(half(0x3c00)), { rtol: 1, atol: 1e4 })).toMatch(/element 0 is NaN/);
    // An int64 value past 2^31 arrives saturated in i32 with its exact value beside it.
    expect(compareOutput('y', hostTensor('i32', [1], [2147483647]), want(hostTensor('i32', [1], [2147483647]), Float64Array.of(2 ** 40)))).toMatch(/expected 1099511627776/);
  });
});
