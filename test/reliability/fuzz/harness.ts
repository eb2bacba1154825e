import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../../compiler/compile.js';
import { importOnnxModel } from '../../../compiler/onnx/import.js';
import { decodeModel } from '../../../compiler/onnx/proto.js';
import type { DType, Graph, Plan } from '../../../ir/index.js';
import { allocHost, isDawnflowError, numel, staticShape } from '../../../ir/index.js';
import type { DawnDevice } from '../../../runtime/index.js';
import { Executable } from '../../../runtime/index.js';
import { mutate, type OnnxCase } from './onnx_mutations.js';

/**
 * One fuzz case end to end: mutate a real ONNX file, then decode → import → compile → (small
 * plans, while the GPU budget lasts) load and run. The verdict is about the process, not the
 * model: every failure must be a DawnflowError, in bounded time, without allocating absurd
 * amounts of memory.
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
  /** Why the case counts as a failure: an untyped error, a hang, an absurd allocation. */
  readonly failure?: { readonly kind: 'crash' | 'hang' | 'allocation'; readonly detail: string };
  readonly ranOnGpu: boolean;
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

/** Deterministic inputs for a plan: small values, so any op is well defined enough to run. */
function inputsFor(exe: Executable, seed: number): Record<string, { dtype: DType; shape: number[]; data: ReturnType<typeof allocHost> }> {
  const out: Record<string, { dtype: DType; shape: number[]; data: ReturnType<typeof allocHost> }> = {};
  let s = seed >>> 0 || 1;
  for (const spec of exe.inputs) {
    const shape = staticShape(spec.shape, spec.name);
    const data = allocHost(spec.dtype, numel(shape));
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = spec.dtype === 'bool' ? s & 1 : spec.dtype === 'f32' ? (s / 2 ** 32) * 4 - 2 : s % 5;
    }
    out[spec.name] = { dtype: spec.dtype, shape: [...shape], data };
  }
  return out;
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
  stage = 'load';
  let exe: Executable | undefined;
  try {
    await withTimeout(
      (async () => {
        exe = await Executable.load(ready, device);
        stage = 'run';
        await exe.run(inputsFor(exe, c.model));
      })(),
      options.gpuTimeoutMs,
    );
  } catch (e) {
    return stopped(e, true);
  } finally {
    exe?.dispose();
  }
  return verdict({ stage: 'done', ranOnGpu: true });
}
