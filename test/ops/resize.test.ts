import { describe, expect, it } from 'vitest';
import type { Attrs, DType, HostTensor, StaticShape } from '../../ir/index.js';
import { GraphBuilder, hostTensor, numel } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

/**
 * resize: the ONNX operator docs' examples (outputs of ONNX's own reference implementation,
 * as shipped in its backend test data) on reference and GPU, then GPU vs reference in every
 * mode and coordinate transformation on random shapes.
 */

const iota = (shape: StaticShape, from = 1) => hostTensor('f32', shape, Array.from({ length: numel(shape) }, (_, i) => i + from));
const f32 = (v: number) => Math.fround(v);

interface SpecCase {
  readonly input: HostTensor;
  readonly attrs: Attrs;
  readonly shape: StaticShape;
  readonly values: readonly number[];
}

const x2x2 = hostTensor('f32', [1, 1, 2, 2], [1, 2, 3, 4]);
const x2x4 = iota([1, 1, 2, 4]);
const x4x4 = iota([1, 1, 4, 4]);

const SPEC: Record<string, SpecCase> = {
  upsample_scales_linear: {
    input: x2x2,
    attrs: { mode: 'linear', scales: [1, 1, 2, 2] },
    shape: [1, 1, 4, 4],
    values: [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4],
  },
  upsample_scales_linear_align_corners: {
    input: x2x2,
    attrs: { mode: 'linear', scales: [1, 1, 2, 2], coordinateTransformationMode: 'align_corners' },
    shape: [1, 1, 4, 4],
    values: [1, 4 / 3, 5 / 3, 2, 5 / 3, 2, 7 / 3, 8 / 3, 7 / 3, 8 / 3, 3, 10 / 3, 3, 10 / 3, 11 / 3, 4],
  },
  upsample_scales_nearest: {
    input: x2x2,
    attrs: { mode: 'nearest', scales: [1, 1, 2, 3] },
    shape: [1, 1, 4, 6],
    values: [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4],
  },
  downsample_scales_nearest: { input: x2x4, attrs: { mode: 'nearest', scales: [1, 1, f32(0.6), f32(0.6)] }, shape: [1, 1, 1, 2], values: [1, 3] },
  downsample_scales_linear: { input: x2x4, attrs: { mode: 'linear', scales: [1, 1, f32(0.6), f32(0.6)] }, shape: [1, 1, 1, 2], values: [2.6666665, 4.3333331] },
  // The unrounded output length (0.6 · 4 = 2.4) is what align_corners divides by.
  downsample_scales_linear_align_corners: {
    input: x2x4,
    attrs: { mode: 'linear', scales: [1, 1, f32(0.6), f32(0.6)], coordinateTransformationMode: 'align_corners' },
    shape: [1, 1, 1, 2],
    values: [1, 3.142857],
  },
  downsample_sizes_linear_pytorch_half_pixel: {
    input: x4x4,
    attrs: { mode: 'linear', sizes: [1, 1, 3, 1], coordinateTransformationMode: 'pytorch_half_pixel' },
    shape: [1, 1, 3, 1],
    values: [1.6666666, 7, 12.333333],
  },
  tf_crop_and_resize: {
    input: x4x4,
    attrs: {
      mode: 'linear',
      sizes: [1, 1, 3, 3],
      roi: [0, 0, 0.4, 0.6, 1, 1, 1.2, 1.7].map(f32),
      coordinateTransformationMode: 'tf_crop_and_resize',
      extrapolationValue: 10,
    },
    shape: [1, 1, 3, 3],
    values: [7.6000004, 10, 10, 12.400001, 10, 10, 10, 10, 10],
  },
  upsample_sizes_nearest_ceil_half_pixel: {
    input: x4x4,
    attrs: { mode: 'nearest', sizes: [1, 1, 8, 8], nearestMode: 'ceil' },
    shape: [1, 1, 8, 8],
    values: [1, 2, 2, 3, 3, 4, 4, 4, 5, 6, 6, 7, 7, 8, 8, 8, 5, 6, 6, 7, 7, 8, 8, 8, 9, 10, 10, 11, 11, 12, 12, 12, 9, 10, 10, 11, 11, 12, 12, 12, 13, 14, 14, 15, 15, 16, 16, 16, 13, 14, 14, 15, 15, 16, 16, 16, 13, 14, 14, 15, 15, 16, 16, 16],
  },
  upsample_scales_cubic_asymmetric: {
    input: x4x4,
    attrs: { mode: 'cubic', scales: [1, 1, 2, 2], coordinateTransformationMode: 'asymmetric' },
    shape: [1, 1, 8, 8],
    values: [
      1, 1.40625, 2, 2.5, 3, 3.59375, 4, 4.09375, 2.625, 3.03125, 3.625, 4.125, 4.625, 5.21875, 5.625, 5.71875, 5, 5.40625, 6, 6.5, 7, 7.59375, 8, 8.09375, 7, 7.40625, 8, 8.5, 9, 9.59375,
      10, 10.09375, 9, 9.40625, 10, 10.5, 11, 11.59375, 12, 12.09375, 11.375, 11.78125, 12.375, 12.875, 13.375, 13.96875, 14.375, 14.46875, 13, 13.40625, 14, 14.5, 15, 15.59375, 16, 16.09375,
      13.375, 13.78125, 14.375, 14.875, 15.375, 15.96875, 16.375, 16.46875,
    ],
  },
  downsample_scales_cubic_A_n0p5_exclude_outside: {
    input: x4x4,
    attrs: { mode: 'cubic', scales: [1, 1, f32(0.8), f32(0.8)], cubicCoeffA: -0.5, excludeOutside: true },
    shape: [1, 1, 3, 3],
    values: [1.3681267, 2.6695013, 4.0133367, 6.5736251, 7.875, 9.2188349, 11.948966, 13.250341, 14.594176],
  },
};

describe('ONNX spec examples', () => {
  it('reference and GPU give the documented outputs', async () => {
    const b = new GraphBuilder();
    for (const [name, c] of Object.entries(SPEC)) b.output(b.op('resize', [b.constant(c.input)], c.attrs, name), name);
    const reference = interpret(b.graph, {}).outputs;
    const gpu = await runOnGpu(b.graph, {});
    for (const [name, c] of Object.entries(SPEC)) {
      const want = hostTensor('f32', c.shape, c.values);
      expectClose(reference[name], want, { rtol: 2e-7, atol: 1e-6 }, `reference ${name}`);
      expectClose(gpu[name], want, { rtol: 2e-6, atol: 2e-5 }, `gpu ${name}`);
    }
  });
});

interface RandomCase {
  readonly shape: StaticShape;
  readonly attrs: Attrs;
  readonly dtype?: DType;
}

/** One graph, one resize per case; GPU vs reference (ints exactly). */
async function checkRandom(cases: Record<string, RandomCase>, seed: number): Promise<void> {
  const b = new GraphBuilder();
  const inputs: Record<string, HostTensor> = {};
  Object.entries(cases).forEach(([name, c], i) => {
    const dtype = c.dtype ?? 'f32';
    inputs[`x_${name}`] = randomTensor(dtype, c.shape, seed + i, -100, 100);
    b.output(b.op('resize', [b.input(`x_${name}`, dtype, c.shape)], c.attrs, name), name);
  });
  const expected = interpret(b.graph, inputs).outputs;
  const actual = await runOnGpu(b.graph, inputs);
  for (const name of Object.keys(cases)) expectClose(actual[name], expected[name], { rtol: 1e-5, atol: 1e-4 }, name);
}

const TRANSFORMS = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'half_pixel_symmetric', 'tf_crop_and_resize'] as const;

describe('GPU vs reference on random inputs', () => {
  it('linear in every coordinate transformation, up and down, 2-D and 3-D', async () => {
    const cases: Record<string, RandomCase> = {};
    for (const t of TRANSFORMS) {
      const roi: Attrs = t === 'tf_crop_and_resize' ? { roi: [0, 0, 0.1, -0.2, 1, 1, 0.8, 1.3], extrapolationValue: -7 } : {};
      cases[`linear_${t}`] = { shape: [2, 3, 5, 7], attrs: { mode: 'linear', scales: [1, 1, 1.5, 0.5], coordinateTransformationMode: t, ...roi } };
    }
    // Scale 0.5 of 7 columns is 3.5 → 3: half_pixel_symmetric recentres; sizes give scale out/in.
    cases.linear_sizes = { shape: [1, 2, 5, 3], attrs: { mode: 'linear', sizes: [1, 2, 7, 17] } };
    cases.linear_3d = { shape: [1, 1, 3, 4, 5], attrs: { mode: 'linear', scales: [1, 1, 2, 0.75, 1.25], coordinateTransformationMode: 'align_corners' } };
    cases.linear_all_axes = { shape: [3, 4], attrs: { mode: 'linear', sizes: [5, 1] } };
    await checkRandom(cases, 10);
  });

  it('cubic: half_pixel, align_corners, asymmetric with exclude_outside, A = -0.5', async () => {
    await checkRandom(
      {
        cubic_half_pixel: { shape: [1, 2, 6, 5], attrs: { mode: 'cubic', scales: [1, 1, 2, 0.5] } },
        cubic_align_corners: { shape: [1, 1, 4, 5], attrs: { mode: 'cubic', sizes: [1, 1, 7, 3], coordinateTransformationMode: 'align_corners' } },
        cubic_exclude: { shape: [2, 1, 5, 4], attrs: { mode: 'cubic', scales: [1, 1, 1.5, 1.25], coordinateTransformationMode: 'asymmetric', excludeOutside: true, cubicCoeffA: -0.5 } },
      },
      20,
    );
  });

  it('nearest: every rounding mode, several transformations; i32 exactly', async () => {
    // Rounding and coordinate mapping are independent: each mode once, each transformation once.
    const cases: Record<string, RandomCase> = {};
    const combos = [
      ['round_prefer_floor', 'half_pixel'],
      ['round_prefer_ceil', 'half_pixel'],
      ['floor', 'half_pixel'],
      ['ceil', 'half_pixel'],
      ['round_prefer_ceil', 'asymmetric'],
      ['floor', 'align_corners'],
      ['round_prefer_floor', 'tf_half_pixel_for_nn'],
    ];
    for (const [nearestMode, t] of combos) {
      cases[`${nearestMode}_${t}`] = { shape: [1, 2, 4, 6], dtype: 'i32', attrs: { mode: 'nearest', nearestMode, coordinateTransformationMode: t, scales: [1, 1, 1.5, 0.5] } };
    }
    cases.nearest_3d = { shape: [1, 3, 2, 3, 4], attrs: { mode: 'nearest', scales: [1, 1, 3, 1, 0.5] } };
    await checkRandom(cases, 30);
  });
});

describe('shape inference', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'f32', ['N', 3, 5, 7]);
  it('scales floor the output size; sizes set it; symbolic dims at scale 1 pass through', () => {
    expect(b.op('resize', [x], { scales: [1, 1, 1.5, 0.5] }).type.shape).toEqual(['N', 3, 7, 3]);
    expect(b.op('resize', [x], { sizes: [2, 3, 10, 1] }).type.shape).toEqual([2, 3, 10, 1]);
  });
  it('errors name the node', () => {
    expect(() => b.op('resize', [x], {}, 'r1')).toThrow(/resize 'r1'.*one of scales and sizes/);
    expect(() => b.op('resize', [x], { scales: [1, 2] }, 'r2')).toThrow(/resize 'r2'.*2 values for rank 4/);
    expect(() => b.op('resize', [x], { scales: [1, 1, 2, 2], mode: 'bilinear' }, 'r3')).toThrow(/resize 'r3'.*mode 'bilinear'/);
    expect(() => b.op('resize', [b.input('i', 'i32', [1, 4])], { scales: [1, 2], mode: 'linear' }, 'r4')).toThrow(/resize 'r4'.*float/);
  });
});
