import type { HostTensor, Value } from '../../ir/index.js';
import { hostTensor } from '../../ir/index.js';
import { mse, nn } from '../../compiler/dsl/index.js';
import type { Optimizer } from '../../compiler/optim/index.js';
import { buildTrainingGraph, compileTraining } from '../../compiler/train/index.js';
import type { TrainingSpec } from '../../compiler/train/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { rng } from '../helpers/random.js';
import type { Batch, MlpShape, OptimizerConfig, Parameters, Rounding } from './textbook.js';
import { float32, float64, PARAMETER_NAMES, textbookTraining } from './textbook.js';

/**
 * The same training run four ways (the compiled step on the GPU, the reference interpreter
 * running the step graph in f32, the textbook formulas in float64 and in float32), with the
 * parameters after chosen steps, and their errors against float64.
 */

export const SHAPE: MlpShape = { batch: 8, inputs: 5, hidden: 4, outputs: 3 };

const uniform = (seed: number, n: number, lo: number, hi: number) => {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
};

/**
 * Positive inputs and targets (40–42) far above the initial outputs (~±1): the gradients are
 * sums of like-signed terms for most of 100 steps, so float32 computes them to a few ulp and
 * what differs from float64 is the optimizer's arithmetic. (With targets near the outputs the
 * residuals change sign, gradients cancel, and a normalizing optimizer turns a gradient float32
 * cannot resolve into an lr-sized difference: the yardstick then measures the model, not the
 * optimizer.)
 */
export function trainingData(steps: number): { initial: Parameters; batches: Batch[] } {
  const { batch, inputs, hidden, outputs } = SHAPE;
  const initial: Parameters = {
    'layers.0.weight': [...uniform(1, inputs * hidden, -0.5, 0.5)],
    'layers.0.bias': [...uniform(2, hidden, -0.1, 0.1)],
    'layers.1.weight': [...uniform(3, hidden * outputs, -0.5, 0.5)],
    'layers.1.bias': [...uniform(4, outputs, -0.1, 0.1)],
  };
  const batches = Array.from({ length: steps }, (_, s) => ({ x: uniform(100 + s, batch * inputs, 0.5, 1.5), y: uniform(200 + s, batch * outputs, 40, 42) }));
  return { initial, batches };
}

function spec(optimizer: Optimizer, initial: Parameters): TrainingSpec {
  const model = new nn.Sequential(new nn.Linear(SHAPE.inputs, SHAPE.hidden), new nn.Linear(SHAPE.hidden, SHAPE.outputs));
  for (const [name, p] of model.namedParameters()) p.value = hostTensor('f32', [...p.shape], initial[name]);
  return { model, input: { shape: [SHAPE.inputs] }, target: { shape: [SHAPE.outputs] }, loss: mse, optimizer, batchSize: SHAPE.batch };
}

const feedsOf = (b: Batch) => ({ x: hostTensor('f32', [SHAPE.batch, SHAPE.inputs], b.x), y: hostTensor('f32', [SHAPE.batch, SHAPE.outputs], b.y) });

/** Parameters after each step in `at` (1-based), by step. */
export type Checkpoints = Map<number, Parameters>;

export async function trainOnGpu(optimizer: Optimizer, initial: Parameters, batches: readonly Batch[], at: readonly number[]): Promise<Checkpoints> {
  const device = await getDefaultDevice();
  const program = compileTraining({ ...spec(optimizer, initial), limits: device.limits });
  const exe = await Executable.load(program.train, device);
  const out: Checkpoints = new Map();
  try {
    for (const [s, batch] of batches.entries()) {
      exe.dispatch(feedsOf(batch), { outputs: [] });
      if (!at.includes(s + 1)) continue;
      const params: Parameters = {};
      for (const name of PARAMETER_NAMES) params[name] = [...(await exe.readState(name)).data];
      out.set(s + 1, params);
    }
  } finally {
    exe.dispose();
  }
  return out;
}

export function trainOnReference(optimizer: Optimizer, initial: Parameters, batches: readonly Batch[], at: readonly number[]): Checkpoints {
  const { graph } = buildTrainingGraph(spec(optimizer, initial));
  let states: ReadonlyMap<Value, HostTensor> | undefined;
  const out: Checkpoints = new Map();
  for (const [s, batch] of batches.entries()) {
    states = interpret(graph, feedsOf(batch), states ? { states } : {}).states;
    if (!at.includes(s + 1)) continue;
    const params: Parameters = {};
    for (const [v, t] of states) if ((PARAMETER_NAMES as readonly string[]).includes(v.name)) params[v.name] = [...t.data];
    out.set(s + 1, params);
  }
  return out;
}

export function trainTextbook(config: OptimizerConfig, initial: Parameters, batches: readonly Batch[], round: Rounding, at: readonly number[]): Checkpoints {
  const out: Checkpoints = new Map();
  textbookTraining(config, SHAPE, initial, batches, round, (s, p) => {
    if (at.includes(s)) out.set(s, p);
  });
  return out;
}

export const trainFloat32 = (config: OptimizerConfig, initial: Parameters, batches: readonly Batch[], at: readonly number[]) => trainTextbook(config, initial, batches, float32, at);

/** The float64 run, with the parameters and each element's path after each step in `at`. */
export interface Float64Run {
  readonly params: Checkpoints;
  /** Σ|p_s − p_(s−1)| so far: the distance the element travelled. */
  readonly path: Checkpoints;
  /** max |p_s| so far (p_0 included): the float32 spacing of its largest value bounds each rounding. */
  readonly largest: Checkpoints;
}

export function trainFloat64(config: OptimizerConfig, initial: Parameters, batches: readonly Batch[], at: readonly number[]): Float64Run {
  const run = { params: new Map(), path: new Map(), largest: new Map() } satisfies Float64Run;
  let previous = initial;
  const travelled: Parameters = Object.fromEntries(PARAMETER_NAMES.map((n) => [n, initial[n].map(() => 0)]));
  const largest: Parameters = Object.fromEntries(PARAMETER_NAMES.map((n) => [n, initial[n].map(Math.abs)]));
  textbookTraining(config, SHAPE, initial, batches, float64, (s, p) => {
    for (const n of PARAMETER_NAMES) {
      p[n].forEach((v, i) => {
        travelled[n][i] += Math.abs(v - previous[n][i]);
        largest[n][i] = Math.max(largest[n][i], Math.abs(v));
      });
    }
    previous = p;
    if (!at.includes(s)) return;
    run.params.set(s, p);
    run.path.set(s, Object.fromEntries(PARAMETER_NAMES.map((n) => [n, [...travelled[n]]])));
    run.largest.set(s, Object.fromEntries(PARAMETER_NAMES.map((n) => [n, [...largest[n]]])));
  });
  return run;
}

/** Spacing of float32 numbers at |x| (2^-149 at 0). */
export function ulp(x: number): number {
  const a = Math.abs(Math.fround(x));
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/**
 * What float32 allows after some steps, per element: a relative error `rate` of the distance
 * the parameter travelled (Σ|update|, from float64), plus `ulps` float32 spacings of the largest
 * value it held (storing it in float32 each step rounds it by half of one).
 */
export interface Allowance {
  readonly rate: number;
  readonly ulps: number;
}

export interface Excess {
  /** max over elements of (|p − p64| − rate·path) / ulp(largest |p64|): the ulps it needs at `rate`. */
  readonly ulps: number;
  /** The element that needs most. */
  readonly worst: string;
  /** max over elements of |p − p64| / path. */
  readonly ofPath: number;
}

/** How far `actual` is from float64 after step `step`, in the terms of an Allowance (NaN: infinitely far). */
export function excess(actual: Parameters, exact: Float64Run, step: number, rate: number): Excess {
  const [p64, path, largest] = [exact.params, exact.path, exact.largest].map((c) => c.get(step)!);
  let ulps = -Infinity;
  let worst = '';
  let ofPath = 0;
  for (const name of PARAMETER_NAMES) {
    p64[name].forEach((e, i) => {
      const a = actual[name][i];
      const err = Number.isFinite(a) ? Math.abs(a - e) : Infinity;
      const need = (err - rate * path[name][i]) / ulp(largest[name][i]);
      ofPath = Math.max(ofPath, err / path[name][i]);
      if (need > ulps) {
        ulps = need;
        worst = `${name}[${i}] = ${a}, float64 ${e}, travelled ${path[name][i].toExponential(3)}`;
      }
    });
  }
  return { ulps, worst, ofPath };
}
