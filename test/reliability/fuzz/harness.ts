import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../../compiler/compile.js';
import { importOnnxModel } from '../../../compiler/onnx/import.js';
import { decodeModel } from '../../../compiler/onnx/proto.js';
import type { Graph, HostTensor, Plan } from '../../../ir/index.js';
import { allocHost, InputError, isDawnflowError, numel, staticShape } from '../../../ir/index.js';
import type { DawnDevice } from '../../../runtime/index.js';
import { Executable } from '../../../runtime/index.js';
import { interpret } from '../../../targets/reference/interpreter.js';
import { mismatch, type Tolerance } from '../../helpers/compare.js';
import { mutate, type OnnxCase } from './onnx_mutations.js';

/**
 * One fuzz case end to end: mutate a real ONNX file, then decode → import → compile → (small
 * plans, while the GPU budget lasts) load, run, and compare with the reference interpreter on
 * the same inputs. Every failure must be a DawnflowError, in bounded time, without allocating
 * absurd amounts of memory; a model that is accepted and run must give the reference's outputs.
 */

export const ONNX_NODE_TESTS = '/usr/share/libonnx-testdata/data/node';

/** The conformance models, sorted so that a model index means the same file everywhere. */
export function loadCorpus(root = ONNX_NODE_TESTS): { name: string; bytes: Uint8Array }[] {
  if (!existsSync(root)) throw new Error(`${root} is missing: install libonnx-testdata (scripts/ensure-webgpu.sh does)`);
  return readdirSync(root)
    .sort()
    .filter((d) => existsSync(join(root, d, 'model.onnx')))
    .map((d) => ({ name: d, bytes: readFileSync(join(root, d, 'model.onnx')) }));
}

export type Stage = 'decode' | 'import' | 'compile' | 'load' | 'run' | 'done';

export interface CaseVerdict {
  /** Where the case stopped ('done': it ran, or compiled and was not run). */
  readonly stage: Stage;
  /** The typed error's code, when it stopped on one. */
  readonly code?: string;
  /** Why the case counts as a failure: an untyped error, a hang, an absurd allocation, GPU outputs unlike the reference's. */
  readonly failure?: { readonly kind: 'crash' | 'hang' | 'allocation' | 'wrong'; readonly detail: string };
  readonly ranOnGpu: boolean;
  /** It ran on the GPU and every output matched the reference interpreter's. */
  readonly checked?: boolean;
  /**
   * The reference refused the first inputs (InputError: an index out of range, which the device
   * clamps); the GPU ran them without fault, and was checked on inputs with every integer 0.
   */
  readonly badIndices?: boolean;
  readonly ms: number;
}

export interface HarnessOptions {
  readonly device: DawnDevice | undefined;
  /** GPU runs left; decremented by each case that runs. */
  readonly gpu: { left: number };
  /** A case (import + compile) slower than this is a hang. */
  readonly hangMs: number;
  /** A GPU load + run slower than this is a hang. */
  readonly gpuTimeoutMs: number;
  /** Growth of the JS heap plus array buffers over one case above this is an absurd allocation. */
  readonly allocationBytes: number;
  /** Plans bigger than this (all regions) are compiled but not run. */
  readonly maxRunBytes: number;
}

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout(`over ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message.split('\n')[0]}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return `non-Error thrown: ${String(e)}`;
}

/**
 * GPU against the reference (f64 inside each op, f32 between): transcendentals are a few ulp
 * off, and f32 sums reorder. Mutated constants reach 2^31, so a sum of such terms cancelling to a
 * small element is exact only to the terms' ulp: besides rtol, each output gets an atol of a few
 * ulp of its own largest magnitude.
 */
function tolerance(expected: HostTensor): Tolerance {
  let largest = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const v = Math.abs(Number(expected.data[i]));
    if (Number.isFinite(v) && v > largest) largest = v;
  }
  return { rtol: 1e-3, atol: 1e-5 + 2 ** -20 * largest };
}

/**
 * Deterministic inputs for a plan: small values, so any op is well defined enough to run.
 * Integers are 0..4, or all 0 with `zeroIntegers` (an index valid along any non-empty axis).
 */
function inputsFor(exe: Executable, seed: number, zeroIntegers = false): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  let s = seed >>> 0 || 1;
  for (const spec of exe.inputs) {
    const shape = staticShape(spec.shape, spec.name);
    const data = allocHost(spec.dtype, numel(shape));
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = spec.dtype === 'bool' ? s & 1 : spec.dtype === 'f32' ? (s / 2 ** 32) * 4 - 2 : zeroIntegers ? 0 : s % 5;
    }
    out[spec.name] = { dtype: spec.dtype, shape: [...shape], data };
  }
  return out;
}

/** The reference interpreter's outputs, or the error it refused the inputs with. */
function reference(graph: Graph, inputs: Record<string, HostTensor>): Record<string, HostTensor> | Error {
  try {
    return interpret(graph, inputs).outputs;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Why the GPU's outputs are not the reference's, or undefined when they are. */
function compareWithReference(expected: Record<string, HostTensor>, gpu: Record<string, HostTensor>): string | undefined {
  const names = Object.keys(expected);
  if (names.join() !== Object.keys(gpu).join()) return `outputs ${Object.keys(gpu).join(', ')}, the reference ${names.join(', ')}`;
  for (const name of names) {
    const problem = mismatch(gpu[name], expected[name], tolerance(expected[name]), `output '${name}'`);
    if (problem) return problem;
  }
  return undefined;
}

export async function runOnnxCase(original: Uint8Array, c: OnnxCase, options: HarnessOptions): Promise<CaseVerdict> {
  const started = performance.now();
  const memory = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const external = memory();
  const { bytes } = mutate(original, c);
  let stage: Stage = 'decode';
  let graph: Graph | undefined;
  let plan: Plan | undefined;
  const verdict = (v: Omit<CaseVerdict, 'ms'>): CaseVerdict => {
    const ms = performance.now() - started;
    // Still held, or not yet collected: either way allocated by this case.
    const grown = memory() - external;
    if (!v.failure && grown > options.allocationBytes) {
      return { ...v, ms, failure: { kind: 'allocation', detail: `${grown} bytes (heap and array buffers) allocated at stage ${v.stage}` } };
    }
    const budget = options.hangMs + (v.ranOnGpu ? options.gpuTimeoutMs : 0);
    if (!v.failure && ms > budget) return { ...v, ms, failure: { kind: 'hang', detail: `${ms.toFixed(0)} ms at stage ${v.stage}` } };
    return { ...v, ms };
  };
  const stopped = (e: unknown, ranOnGpu: boolean): CaseVerdict => {
    if (e instanceof Timeout) return verdict({ stage, ranOnGpu, failure: { kind: 'hang', detail: `${stage}: ${e.message}` } });
    if (isDawnflowError(e)) return verdict({ stage, code: e.code, ranOnGpu });
    return verdict({ stage, ranOnGpu, failure: { kind: 'crash', detail: `${stage}: ${describeError(e)}` } });
  };
  try {
    const model = decodeModel(bytes, 'fuzzed.onnx');
    stage = 'import';
    graph = importOnnxModel(model, { source: 'fuzzed.onnx' }).graph;
    stage = 'compile';
    plan = compile(graph, options.device ? { limits: options.device.limits } : {});
  } catch (e) {
    return stopped(e, false);
  }
  const bytesNeeded = plan.regionBytes.arena + plan.regionBytes.constants + plan.regionBytes.states;
  if (!options.device || options.gpu.left <= 0 || bytesNeeded > options.maxRunBytes) return verdict({ stage: 'done', ranOnGpu: false });
  options.gpu.left--;
  const device = options.device;
  const ready = plan;
  const accepted = graph;
  stage = 'load';
  let exe: Executable | undefined;
  let wrong: string | undefined;
  let badIndices = false;
  try {
    await withTimeout(
      (async () => {
        const loaded = await Executable.load(ready, device);
        exe = loaded;
        stage = 'run';
        let inputs = inputsFor(loaded, c.model);
        let expected = reference(accepted, inputs);
        if (expected instanceof InputError) {
          // Run the bad indices anyway (the device must clamp them, not fault), then check the
          // GPU on indices that are valid.
          badIndices = true;
          await loaded.run(inputs);
          inputs = inputsFor(loaded, c.model, true);
          expected = reference(accepted, inputs);
        }
        if (expected instanceof Error) {
          wrong = `the reference interpreter refused what the GPU runs: ${describeError(expected)}`;
          return;
        }
        wrong = compareWithReference(expected, await loaded.run(inputs));
      })(),
      options.gpuTimeoutMs,
    );
  } catch (e) {
    return stopped(e, true);
  } finally {
    exe?.dispose();
  }
  if (wrong) return verdict({ stage: 'done', ranOnGpu: true, badIndices, failure: { kind: 'wrong', detail: wrong } });
  return verdict({ stage: 'done', ranOnGpu: true, badIndices, checked: true });
}
