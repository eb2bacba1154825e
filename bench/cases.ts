import type { ConvLayer } from './models/kernel_models.js';
import { convFlops } from './models/kernel_models.js';
import type { CnnShape } from './models/cnn_step.js';
import type { MlpShape } from './models/mlp_step.js';
import type { TransformerShape } from './models/transformer_block.js';
import { transformerFlops } from './models/transformer_block.js';
import type { LightModelName } from './models/light_models.js';
import type { DynamicModel, DynamicTransformerShape } from './models/dynamic_models.js';

/** What the benchmark measures: each case, its unit and how much work one run does. */

export const BENCHES = ['device-peak', 'matmul', 'conv', 'inference', 'train-step', 'dynamic', 'parallel', 'distributed'] as const;
export type BenchName = (typeof BENCHES)[number];
export type Unit = 'GFLOP/s' | 'GB/s' | 'ms';

export type CaseSpec =
  | { readonly kind: 'fma'; readonly invocations: number; readonly iterations: number; readonly repeats: number }
  | { readonly kind: 'bandwidth'; readonly bytes: number; readonly repeats: number }
  | { readonly kind: 'matmul'; readonly n: number }
  | { readonly kind: 'conv'; readonly layer: ConvLayer }
  | { readonly kind: 'light-model'; readonly model: LightModelName }
  | { readonly kind: 'transformer'; readonly shape: TransformerShape }
  | { readonly kind: 'mlp-step'; readonly shape: MlpShape }
  | { readonly kind: 'cnn-step'; readonly shape: CnnShape }
  /**
   * A model with dynamic dims run at `sizes`: 'dawnflow' compiles it specialized to them,
   * 'dawnflow-dynamic' once with the dims symbolic (one plan for every size); the ratio is what
   * a plan that serves every size costs at this one.
   */
  | { readonly kind: 'dynamic'; readonly model: DynamicModel; readonly sizes: Readonly<Record<string, number>>; readonly transformer?: DynamicTransformerShape; readonly matmul?: { readonly k: number; readonly n: number } };

export interface BenchCase {
  readonly bench: BenchName;
  readonly case: string;
  readonly unit: Unit;
  readonly spec: CaseSpec;
  /** Flops of one run, where known (matmul's GFLOP/s; reported beside ms for the rest). */
  readonly flops?: number;
  /** Largest max-relative error (vs onnxruntime-node CPU) that still counts as a match. */
  readonly tolerance: number;
}

/** A stable identifier: file names of cached models and outputs. */
export function caseId(c: Pick<BenchCase, 'bench' | 'case'>): string {
  return `${c.bench}-${c.case}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

const matmul = (n: number): BenchCase => ({ bench: 'matmul', case: String(n), unit: 'GFLOP/s', spec: { kind: 'matmul', n }, flops: 2 * n ** 3, tolerance: 1e-4 });

const conv = (name: string, layer: ConvLayer): BenchCase => ({ bench: 'conv', case: name, unit: 'ms', spec: { kind: 'conv', layer }, flops: convFlops(layer), tolerance: 1e-4 });

const transformer = (name: string, shape: TransformerShape): BenchCase => ({
  bench: 'inference',
  case: name,
  unit: 'ms',
  spec: { kind: 'transformer', shape },
  flops: transformerFlops(shape),
  tolerance: 1e-3,
});

/** The full-size cases the targets name. */
export const TRANSFORMER_CASE = 'transformer-s128-d256-h4';
export const MLP_CASE = 'mlp-784-256-10-b128';
export const CNN_CASE = 'cnn-mnist-b64';

const mlpStep = (shape: MlpShape): BenchCase => ({
  bench: 'train-step',
  case: `mlp-${shape.inputs}-${shape.hidden}-${shape.classes}-b${shape.batch}`,
  unit: 'ms',
  spec: { kind: 'mlp-step', shape },
  flops: 3 * 2 * shape.batch * (shape.inputs * shape.hidden + shape.hidden * shape.classes),
  tolerance: 1e-4,
});

/** The MNIST CNN step (conv 5×5/2, conv 3×3/2, two linear layers): flops of forward and backward. */
const cnnStep = (name: string, shape: CnnShape): BenchCase => {
  const convMacs = 8 * 25 * 14 * 14 + 16 * 8 * 9 * 7 * 7;
  const denseMacs = 784 * 64 + 64 * 10;
  // Forward, then the gradients of inputs and weights (the first conv's input gradient is not needed).
  const macs = shape.batch * (3 * (convMacs + denseMacs) - 8 * 25 * 14 * 14);
  return { bench: 'train-step', case: name, unit: 'ms', spec: { kind: 'cnn-step', shape }, flops: 2 * macs, tolerance: 1e-4 };
};

const dynamicMatmul = (m: number, k: number, n: number): BenchCase => ({
  bench: 'dynamic',
  case: `matmul-m${m}-k${k}-n${n}`,
  unit: 'ms',
  spec: { kind: 'dynamic', model: 'matmul', sizes: { M: m }, matmul: { k, n } },
  flops: 2 * m * k * n,
  tolerance: 1e-4,
});

const dynamicSqueezenet = (size: number): BenchCase => ({
  bench: 'dynamic',
  case: `squeezenet-${size}`,
  unit: 'ms',
  spec: { kind: 'dynamic', model: 'squeezenet', sizes: { H: size, W: size } },
  tolerance: 1e-3,
});

const dynamicTransformer = (seq: number, shape: DynamicTransformerShape): BenchCase => ({
  bench: 'dynamic',
  case: `transformer-s${seq}-d${shape.dModel}-h${shape.heads}`,
  unit: 'ms',
  spec: { kind: 'dynamic', model: 'transformer', sizes: { S: seq }, transformer: shape },
  flops: transformerFlops({ seq, ...shape }),
  tolerance: 1e-3,
});

const DYNAMIC_TRANSFORMER: DynamicTransformerShape = { dModel: 128, heads: 4, ffn: 512 };

const devicePeak: BenchCase[] = [
  { bench: 'device-peak', case: 'fma-f32', unit: 'GFLOP/s', spec: { kind: 'fma', invocations: 65536, iterations: 512, repeats: 4 }, tolerance: Infinity },
  { bench: 'device-peak', case: 'bandwidth', unit: 'GB/s', spec: { kind: 'bandwidth', bytes: 32 << 20, repeats: 4 }, tolerance: Infinity },
];

export const FULL_CASES: readonly BenchCase[] = [
  ...devicePeak,
  matmul(256),
  matmul(512),
  matmul(1024),
  conv('3x3-64-56', { inChannels: 64, outChannels: 64, size: 56, kernel: 3, stride: 1 }),
  conv('1x1-256-64-56', { inChannels: 256, outChannels: 64, size: 56, kernel: 1, stride: 1 }),
  conv('3x3-256-14', { inChannels: 256, outChannels: 256, size: 14, kernel: 3, stride: 1 }),
  conv('7x7s2-3-64-224', { inChannels: 3, outChannels: 64, size: 224, kernel: 7, stride: 2 }),
  { bench: 'inference', case: 'squeezenet', unit: 'ms', spec: { kind: 'light-model', model: 'squeezenet' }, tolerance: 1e-3 },
  { bench: 'inference', case: 'resnet50', unit: 'ms', spec: { kind: 'light-model', model: 'resnet50' }, tolerance: 1e-3 },
  transformer(TRANSFORMER_CASE, { seq: 128, dModel: 256, heads: 4, ffn: 1024 }),
  mlpStep({ batch: 128, inputs: 784, hidden: 256, classes: 10, learningRate: 0.1 }),
  cnnStep(CNN_CASE, { batch: 64, learningRate: 0.05 }),
  dynamicMatmul(512, 512, 512),
  dynamicSqueezenet(224),
  dynamicSqueezenet(160),
  dynamicTransformer(64, DYNAMIC_TRANSFORMER),
  dynamicTransformer(256, DYNAMIC_TRANSFORMER),
];

/** Tiny sizes of a few cases: a smoke test of every peer's path in well under two minutes. */
export const QUICK_CASES: readonly BenchCase[] = [
  { bench: 'device-peak', case: 'fma-f32', unit: 'GFLOP/s', spec: { kind: 'fma', invocations: 8192, iterations: 64, repeats: 1 }, tolerance: Infinity },
  { bench: 'device-peak', case: 'bandwidth', unit: 'GB/s', spec: { kind: 'bandwidth', bytes: 1 << 20, repeats: 1 }, tolerance: Infinity },
  matmul(64),
  conv('3x3-8-16', { inChannels: 8, outChannels: 8, size: 16, kernel: 3, stride: 1 }),
  transformer('transformer-s16-d32-h2', { seq: 16, dModel: 32, heads: 2, ffn: 64 }),
  mlpStep({ batch: 8, inputs: 784, hidden: 16, classes: 10, learningRate: 0.1 }),
  cnnStep('cnn-mnist-b4', { batch: 4, learningRate: 0.05 }),
  dynamicMatmul(61, 64, 64),
  dynamicTransformer(13, { dModel: 32, heads: 2, ffn: 64 }),
];
