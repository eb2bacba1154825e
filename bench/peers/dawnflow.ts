import { readFileSync } from 'node:fs';
import { compile } from '../../compiler/compile.js';
import type { TargetLimits } from '../../compiler/compile.js';
import { DEFAULT_LIMITS } from '../../compiler/compile.js';
import type { Parameter } from '../../compiler/dsl/index.js';
import { crossEntropy, nn, Sequential } from '../../compiler/dsl/index.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { optim } from '../../compiler/optim/index.js';
import { compileTraining } from '../../compiler/train/index.js';
import type { Graph, HostTensor } from '../../ir/index.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import type { DawnDevice, DeviceLimits, Plan } from '../../runtime/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import type { TrainingProgram } from '../../runtime/training/index.js';
import { Trainer } from '../../runtime/training/index.js';
import type { BenchCase } from '../cases.js';
import type { NamedTensors } from '../case_inputs.js';
import { upperMedian } from '../measure.js';
import { caseInputs } from '../case_inputs.js';
import { bandwidthPlan, fmaPeakPlanOf } from '../device_peak_plans.js';
import type { CnnParameter, CnnShape } from '../models/cnn_step.js';
import { CNN_CONVS, CNN_PARAMETERS } from '../models/cnn_step.js';
import type { MlpShape } from '../models/mlp_step.js';
import type { MlpParameter } from '../models/mlp_step.js';
import { MLP_PARAMETERS } from '../models/mlp_step.js';
import type { PairedTiming, PeerDriver, PreparedCase } from './driver.js';
import { NotAvailableError, toF32 } from './driver.js';

/**
 * dawnflow itself: graphs compiled with `compile(graph, {limits: device.limits})`, loaded with
 * `Executable.load(plan, device)`, run with `exe.run(inputs)`. ONNX cases go through
 * `importOnnx`, the training step through the DSL, `compileTraining` and the Trainer. An op,
 * lowering or gradient rule that has not landed yet makes its case "not available yet" rather
 * than failing the run.
 */

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

/** A missing op, lowering or gradient rule is a dependency still to come, not a crash. */
function asAvailability(error: unknown, what: string): unknown {
  const name = error instanceof Error ? error.name : '';
  if (name === 'UnsupportedOpError') return new NotAvailableError(`not available yet: ${what}: ${firstLine(error)}`);
  return error;
}

function matmulGraph(n: number): Graph {
  const b = new GraphBuilder(`matmul_${n}`);
  b.output(b.op('matmul', [b.input('a', 'f32', [n, n]), b.input('b', 'f32', [n, n])]), 'c');
  return b.graph;
}

/** A DSL model with the benchmark's initial parameters (named as the case names them). */
interface TrainingCase {
  readonly model: Sequential;
  /** Each DSL parameter and the case's name for it. */
  readonly parameters: readonly [Parameter | null, string][];
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly batch: number;
  readonly learningRate: number;
}

/**
 * A training case compiled by dawnflow's own training compiler (autodiff + optimizer,
 * parameters resident on the device), for its Trainer; `names` maps the case's parameter names
 * to the DSL's.
 */
function trainingProgram(t: TrainingCase, initial: NamedTensors, limits: TargetLimits | DeviceLimits): { program: TrainingProgram; names: Record<string, string> } {
  t.model.namedParameters();
  const names: Record<string, string> = {};
  for (const [p, name] of t.parameters) {
    if (!p) throw new Error(`the model has no parameter for ${name}`);
    p.value = hostTensor('f32', initial[name].shape, initial[name].data);
    names[name] = p.name;
  }
  const program = compileTraining({
    model: t.model,
    input: { shape: [...t.inputShape] },
    target: { shape: [t.classes] },
    loss: crossEntropy,
    optimizer: optim.sgd({ lr: t.learningRate }),
    batchSize: t.batch,
    limits: { ...DEFAULT_LIMITS, ...limits },
  });
  return { program, names };
}

/** The MLP 784-ReLU-10. */
function mlpCase(s: MlpShape): TrainingCase {
  const fc1 = new nn.Linear(s.inputs, s.hidden);
  const fc2 = new nn.Linear(s.hidden, s.classes);
  const parameters: [Parameter | null, MlpParameter][] = [[fc1.weight, 'w1'], [fc1.bias, 'b1'], [fc2.weight, 'w2'], [fc2.bias, 'b2']];
  return { model: new Sequential(fc1, nn.ReLU(), fc2), parameters, inputShape: [s.inputs], classes: s.classes, batch: s.batch, learningRate: s.learningRate };
}

/** The MNIST CNN of examples/mnist_models.ts, without dropout (bench/models/cnn_step.ts). */
function cnnCase(s: CnnShape): TrainingCase {
  const [a, b] = CNN_CONVS;
  const c1 = new nn.Conv2d(a.cin, a.cout, a.k, { stride: a.stride, padding: a.pad });
  const c2 = new nn.Conv2d(b.cin, b.cout, b.k, { stride: b.stride, padding: b.pad });
  const f1 = new nn.Linear(b.cout * b.out * b.out, 64);
  const f2 = new nn.Linear(64, 10);
  const model = new Sequential(c1, nn.ReLU(), c2, nn.ReLU(), new nn.Flatten(), f1, nn.ReLU(), f2);
  const parameters: [Parameter | null, CnnParameter][] = [
    [c1.weight, 'c1w'], [c1.bias, 'c1b'], [c2.weight, 'c2w'], [c2.bias, 'c2b'], [f1.weight, 'f1w'], [f1.bias, 'f1b'], [f2.weight, 'f2w'], [f2.bias, 'f2b'],
  ];
  return { model, parameters, inputShape: [1, 28, 28], classes: 10, batch: s.batch, learningRate: s.learningRate };
}

export class DawnflowDriver implements PeerDriver {
  readonly peer: 'dawnflow' | 'dawnflow-dynamic';
  readonly #dynamic: boolean;
  #device: DawnDevice | undefined;

  /** `dynamic`: the 'dawnflow-dynamic' peer, which compiles the dynamic bench's models with their dims symbolic. */
  constructor(options: { readonly dynamic?: boolean } = {}) {
    this.#dynamic = options.dynamic === true;
    this.peer = this.#dynamic ? 'dawnflow-dynamic' : 'dawnflow';
  }

  unsupported(c: BenchCase): string | undefined {
    if (this.#dynamic && c.spec.kind !== 'dynamic') return "one plan for every size: measured on the 'dynamic' bench only";
    return undefined;
  }

  async #load(plan: Plan): Promise<Executable> {
    this.#device ??= await getDefaultDevice();
    return Executable.load(plan, this.#device);
  }

  async #compile(graph: Graph, what: string): Promise<Executable> {
    this.#device ??= await getDefaultDevice();
    let plan: Plan;
    try {
      plan = compile(graph, { limits: this.#device.limits });
    } catch (error) {
      throw asAvailability(error, `compiling ${what}`);
    }
    return this.#load(plan);
  }

  async prepare(c: BenchCase, modelFile: string | undefined): Promise<PreparedCase> {
    const spec = c.spec;
    if (spec.kind === 'fma' || spec.kind === 'bandwidth') {
      const peak = spec.kind === 'fma' ? fmaPeakPlanOf(spec.invocations, spec.iterations, spec.repeats) : bandwidthPlan(spec.bytes, spec.repeats);
      const exe = await this.#load(peak.plan);
      const run = async (): Promise<void> => {
        await exe.run({}, { outputs: [] });
      };
      return { first: async () => (await run(), {}), run, dispose: () => exe.dispose() };
    }

    const inputs = caseInputs(c);
    if (spec.kind === 'mlp-step' || spec.kind === 'cnn-step') {
      this.#device ??= await getDefaultDevice();
      const training = spec.kind === 'mlp-step' ? mlpCase(spec.shape) : cnnCase(spec.shape);
      const parameterNames: readonly string[] = spec.kind === 'mlp-step' ? MLP_PARAMETERS : CNN_PARAMETERS;
      let compiled: ReturnType<typeof trainingProgram>;
      try {
        compiled = trainingProgram(training, inputs, this.#device.limits);
      } catch (error) {
        throw asAvailability(error, `compiling the ${spec.kind === 'mlp-step' ? 'MLP' : 'CNN'} training step`);
      }
      const trainer = await Trainer.load(compiled.program, this.#device);
      const names = compiled.names;
      const step = async (): Promise<number> => trainer.step(inputs.x.data, inputs.labels.data).loss();
      return {
        first: async () => {
          const out: NamedTensors = { loss: { shape: [], data: Float32Array.of(await step()) } };
          const params = await trainer.parameters();
          for (const name of parameterNames) out[`${name}_next`] = hostToF32(params[names[name]]);
          return out;
        },
        run: async () => void (await step()),
        dispose: () => trainer.dispose(),
      };
    }

    let graph: Graph;
    if (spec.kind === 'matmul') {
      graph = matmulGraph(spec.n);
    } else {
      if (!modelFile) throw new Error(`no model file for ${c.bench} ${c.case}`);
      // The dynamic bench: specialized to the case's input shapes, or (dawnflow-dynamic) every dim left symbolic.
      const inputShapes = spec.kind === 'dynamic' && !this.#dynamic ? Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, [...t.shape]])) : undefined;
      try {
        graph = importOnnx(readFileSync(modelFile), { source: modelFile, ...(inputShapes ? { inputShapes } : {}) }).graph;
      } catch (error) {
        throw asAvailability(error, 'importing the ONNX model');
      }
    }
    const exe = await this.#compile(graph, `${c.bench} ${c.case}`);
    // Tensors with their shapes: a symbolic plan binds its dims from them.
    const feeds = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, { dtype: 'f32' as const, shape: [...t.shape], data: t.data }]));
    if (spec.kind === 'dynamic' && this.#dynamic && modelFile) return this.#paired(exe, feeds, modelFile, c);
    return {
      first: async () => {
        const out = await exe.run(feeds);
        return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, hostToF32(t)]));
      },
      run: async () => {
        await exe.run(feeds);
      },
      ...(exe.device.features.has('timestamp-query') ? { profile: async () => (await exe.profile(feeds, 3)).map(({ kernel, label, ms, flops }) => ({ kernel, label, ms, ...(flops !== undefined ? { flops } : {}) })) } : {}),
      dispose: () => exe.dispose(),
    };
  }

  /**
   * The dynamic bench's symbolic plan (the timed one), plus the same model specialized to the
   * case's shapes in this process: after the timed runs, both are run interleaved and their
   * medians reported as `paired` (the ratio a shared machine's load does not skew).
   */
  async #paired(exe: Executable, feeds: Record<string, HostTensor>, modelFile: string, c: BenchCase): Promise<PreparedCase> {
    const shapes = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, [...t.shape]]));
    const fixed = await this.#compile(importOnnx(readFileSync(modelFile), { source: modelFile, inputShapes: shapes }).graph, `${c.bench} ${c.case} (specialized)`);
    const timeOne = async (e: Executable): Promise<number> => {
      const start = performance.now();
      await e.run(feeds);
      return performance.now() - start;
    };
    return {
      first: async () => {
        const out = await exe.run(feeds);
        await fixed.run(feeds);
        return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, hostToF32(t)]));
      },
      run: async () => {
        await exe.run(feeds);
      },
      paired: async (): Promise<PairedTiming> => {
        // Interleaved after the timed runs: at most 15 rounds or 20 s.
        const a: number[] = [];
        const b: number[] = [];
        const until = performance.now() + 20_000;
        for (let i = 0; i < 15 && performance.now() < until; i++) {
          if (i % 2) {
            a.push(await timeOne(fixed));
            b.push(await timeOne(exe));
          } else {
            b.push(await timeOne(exe));
            a.push(await timeOne(fixed));
          }
        }
        return { specializedMs: upperMedian(a), dynamicMs: upperMedian(b), rounds: a.length };
      },
      dispose: () => {
        exe.dispose();
        fixed.dispose();
      },
    };
  }

  async close(): Promise<void> {
    this.#device?.destroy();
  }
}

function hostToF32(t: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }): { shape: readonly number[]; data: Float32Array } {
  return { shape: [...t.shape], data: toF32(t.data) };
}
