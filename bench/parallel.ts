import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../compiler/compile.js';
import { crossEntropy } from '../compiler/dsl/index.js';
import { optim } from '../compiler/optim/index.js';
import { compileDataParallel } from '../compiler/parallel/data_parallel.js';
import { gradientGraph, prepareModel } from '../compiler/parallel/training_graphs.js';
import { loadDigits } from '../examples/mnist_data.js';
import { mnistCnn, PIXELS } from '../examples/mnist_models.js';
import { acquireDevice, type DawnDevice, Executable } from '../runtime/index.js';
import { fitInProcess } from '../runtime/distributed/fit_in_process.js';
import { launchInProcess, valuesOrThrow } from '../runtime/distributed/launch_in_process.js';
import { PhasedExecutable } from '../runtime/distributed/phased_executable.js';
import type { StepTimes } from '../runtime/distributed/timeline.js';
import { ArrayDataset } from '../runtime/training/dataset.js';
import { upperMedian } from './measure.js';
import { type AllReduceTiming, reduceWorkPerByte } from './parallel_ranks.js';
import { fitLinear, formatProjection, type Linear, project } from './parallel_projection.js';

/**
 * The parallel bench (issue 13): the MNIST CNN trained data-parallel on 4 devices (worker
 * threads, one lavapipe device each): communication ms per step, the share of it hidden by
 * overlap with the backward pass, bytes moved; then what a projection to real GPUs needs (the
 * model is in parallel_projection.ts and docs/parallel.md): the per-byte cost of staging
 * device ↔ host, a rank's reduction work per byte, one rank's step device time against its
 * batch, and from per-kernel times the share of the backward pass that can hide transfers.
 * Prints a section of its own and writes the timeline SVG.
 *
 *   npm run bench -- --only parallel
 *   tsx bench/parallel.ts [--quick] [--out <dir>]
 */

const here = dirname(fileURLToPath(import.meta.url));
const DEVICES = 4;
const GLOBAL_BATCH = 128;
const BUCKET_BYTES = 64 * 1024;
const SIZES = [16, 64, 256, 1024, 4096].map((k) => k * 1024);
/** A barrier's latency between ranks on cores of their own (a futex wake-up): an assumption, printed with the measured one. */
const ASSUMED_BARRIER_MS = 0.02;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const log = (line: string) => process.stdout.write(`${line}\n`);

function spec(batch: number) {
  return { model: mnistCnn(), input: { shape: [1, 28, 28] }, target: { shape: [], dtype: 'i32' as const }, loss: crossEntropy, optimizer: optim.adam({ lr: 3e-3 }), batchSize: batch, accuracy: true, seed: 0 };
}

function batchOf(b: number): { x: Float32Array; y: Int32Array } {
  return { x: new Float32Array(b * PIXELS).map((_, i) => (i % 7) / 7), y: Int32Array.from({ length: b }, (_, i) => i % 10) };
}

/** Median ms to bring `bytes` from a storage buffer to the host (copy, map, read), and to write them back. */
async function stagingCosts(device: DawnDevice, repeats: number): Promise<{ down: Linear; up: Linear }> {
  const gpu = device.device;
  const points: { bytes: number; down: number; up: number }[] = [];
  for (const bytes of SIZES) {
    const storage = gpu.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const staging = gpu.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const host = new Float32Array(bytes / 4).fill(1);
    const down: number[] = [];
    const up: number[] = [];
    for (let i = 0; i < repeats + 1; i++) {
      let t0 = performance.now();
      const encoder = gpu.createCommandEncoder();
      encoder.copyBufferToBuffer(storage, 0, staging, 0, bytes);
      gpu.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      host.set(new Float32Array(staging.getMappedRange()));
      staging.unmap();
      if (i > 0) down.push(performance.now() - t0);
      t0 = performance.now();
      gpu.queue.writeBuffer(storage, 0, host);
      await gpu.queue.onSubmittedWorkDone();
      if (i > 0) up.push(performance.now() - t0);
    }
    storage.destroy();
    staging.destroy();
    points.push({ bytes, down: upperMedian(down), up: upperMedian(up) });
  }
  return { down: fitLinear(points.map((p) => [p.bytes, p.down])), up: fitLinear(points.map((p) => [p.bytes, p.up])) };
}

/** Device ms of one rank's step (grads + apply phases, timestamp queries around each) at each local batch. */
async function stepDeviceTimes(device: DawnDevice, batches: readonly number[], repeats: number): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for (const b of batches) {
    const program = compileDataParallel({ ...spec(GLOBAL_BATCH), limits: device.limits }, { devices: GLOBAL_BATCH / b, bucketBytes: BUCKET_BYTES });
    const exe = await PhasedExecutable.load(program.phased, device);
    const zeros = Object.fromEntries(exe.phase('apply').inputs.map((io) => [io.name, new Float32Array(program.phased.plan.tensors[io.tensor].bytes / 4)]));
    const { x, y } = batchOf(b);
    const samples: number[] = [];
    for (let i = 0; i < repeats + 2; i++) {
      const grads = exe.submit('grads', { x, y }, { timed: true });
      const applied = exe.submit('apply', zeros, { timed: true });
      const [g, a] = [await grads.deviceTimes(), await applied.deviceTimes()];
      if (i >= 2 && g && a) samples.push(g.endsMs.at(-1)! - g.startsMs[0] + a.endsMs.at(-1)! - a.startsMs[0]);
    }
    await exe.close();
    out.push([b, upperMedian(samples)]);
  }
  return out;
}

/** Share of the grads phase's kernel time after the first bucket is ready (per-kernel times, Executable.profile). */
async function hideableShare(device: DawnDevice, localBatch: number): Promise<number> {
  const program = compileDataParallel({ ...spec(GLOBAL_BATCH), limits: device.limits }, { devices: GLOBAL_BATCH / localBatch, bucketBytes: BUCKET_BYTES });
  const firstCut = Math.min(...program.buckets.map((b) => b.readyAfterStep));
  // The grads graph compiled as its phase was (graph order): its steps are the phase's steps.
  const grads = spec(GLOBAL_BATCH);
  prepareModel(grads);
  const plan = compile(gradientGraph(grads, localBatch).graph, { limits: device.limits, memorySchedule: false });
  const exe = await Executable.load(plan, device);
  const profile = await exe.profile(batchOf(localBatch), 3);
  exe.dispose();
  const total = profile.reduce((s, p) => s + p.ms, 0);
  return profile.filter((p) => p.step > firstCut).reduce((s, p) => s + p.ms, 0) / total;
}

function summarize(ranks: readonly { stepTimes: StepTimes[] }[], skip: number) {
  const perRank = ranks.map((r) => {
    const steps = r.stepTimes.filter((s) => s.step >= skip);
    return {
      wall: upperMedian(steps.map((s) => s.wallMs)),
      compute: upperMedian(steps.map((s) => s.computeMs)),
      transfer: upperMedian(steps.map((s) => s.transferMs)),
      hidden: upperMedian(steps.map((s) => s.hiddenTransferMs)),
      idle: upperMedian(steps.map((s) => s.idleMs)),
      bytes: upperMedian(steps.map((s) => s.transferBytes)),
    };
  });
  const avg = (k: keyof (typeof perRank)[number]) => mean(perRank.map((r) => r[k]));
  return { perRank, wall: avg('wall'), compute: avg('compute'), transfer: avg('transfer'), hidden: avg('hidden'), idle: avg('idle'), bytes: avg('bytes') };
}

export async function runParallelBench(options: { quick: boolean; outDir: string }): Promise<void> {
  const steps = options.quick ? 5 : 14;
  const skip = 2;
  mkdirSync(options.outDir, { recursive: true });
  const digits = loadDigits(0);
  const data = new ArrayDataset(digits.x.subarray(0, steps * GLOBAL_BATCH * PIXELS), digits.y.subarray(0, steps * GLOBAL_BATCH), [PIXELS]);
  const program = compileDataParallel(spec(GLOBAL_BATCH), { devices: DEVICES, bucketBytes: BUCKET_BYTES });
  const svg = join(options.outDir, 'parallel-timeline.svg');
  // The first step compiles the kernels (lavapipe compiles at first dispatch): not measured.
  const run = await fitInProcess(program, data, { epochs: 1, seed: 0, maxSteps: steps, timelineSvg: svg, shuffle: false });
  const s = summarize(run.ranks, skip);
  const bucketBytes = program.buckets.map((b) => 4 * b.elements);
  const gradientBytes = bucketBytes.reduce((a, b) => a + b, 0);

  log(`\nParallel (issue 13): MNIST CNN, data parallel on ${DEVICES} devices (worker threads, one lavapipe device each), global batch ${GLOBAL_BATCH} (${GLOBAL_BATCH / DEVICES} per device)`);
  log(`  buckets of ≤ ${BUCKET_BYTES / 1024} KiB in reverse layer order: ${bucketBytes.map((b) => `${(b / 1024).toFixed(1)} KiB`).join(', ')}; medians of steps ${skip}–${steps - 1}, averaged over the ranks`);
  log(`  step ${s.wall.toFixed(1)} ms: device compute ${s.compute.toFixed(1)} ms, device idle ${s.idle.toFixed(1)} ms`);
  log(`  communication ${s.transfer.toFixed(2)} ms per step (time in communicator calls, waiting for the slowest rank included), ${(100 * (s.transfer > 0 ? s.hidden / s.transfer : 0)).toFixed(0)}% of it hidden by overlap with the backward pass`);
  log(`  bytes moved per step and device: ${gradientBytes} all-reduced (+ ${Math.round(s.bytes - gradientBytes)} of step status), ${2 * gradientBytes} staged (gradients device → host, reduced ones host → device)`);
  for (const [r, t] of s.perRank.entries()) log(`    rank ${r}: step ${t.wall.toFixed(1)} ms, compute ${t.compute.toFixed(1)}, transfer ${t.transfer.toFixed(2)} (hidden ${t.hidden.toFixed(2)}), idle ${t.idle.toFixed(1)}`);
  log(`  timeline: ${svg}`);

  const device = await acquireDevice();
  const staging = await stagingCosts(device, options.quick ? 3 : 7);
  const reduceEntry = { module: new URL(`./parallel_ranks.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href, name: 'allReduceTimingRank' };
  const reduce = valuesOrThrow(await launchInProcess<AllReduceTiming[]>(reduceEntry, { sizes: SIZES, repeats: options.quick ? 3 : 9 }, { size: DEVICES }))[0];
  const barrierMs = upperMedian(reduce.map((r) => r.barrierMs));
  const perByte = new Map([2, 3, 4, 5, 6, 7, 8].map((n) => [n, reduceWorkPerByte(n, 1 << 20, 9)]));
  log(`  staging a bucket of s bytes: device → host ${staging.down.fixed.toFixed(3)} ms + ${(staging.down.perByte * 2 ** 20).toFixed(3)} ms/MiB, host → device ${staging.up.fixed.toFixed(3)} ms + ${(staging.up.perByte * 2 ** 20).toFixed(3)} ms/MiB`);
  log(`  in-process all-reduce, ${DEVICES} ranks on this machine's shared cores: ${reduce.map((r) => `${r.bytes / 1024} KiB ${r.ms.toFixed(2)} ms`).join(', ')}; a barrier ${barrierMs.toFixed(3)} ms`);
  log(`  a rank's reduction work, no waiting (ρ_N): ${[...perByte].map(([n, v]) => `N=${n} ${(v * 2 ** 20).toFixed(3)} ms/MiB`).join(', ')}`);
  const batches = options.quick ? [32, 128] : [16, 32, 64, 128];
  const times = await stepDeviceTimes(device, batches, options.quick ? 3 : 7);
  const c = fitLinear(times);
  log(`  one rank's step, device time (timestamps around its phases): ${times.map(([b, ms]) => `batch ${b} ${ms.toFixed(1)} ms`).join(', ')} → C(b) = ${c.fixed.toFixed(2)} + ${c.perByte.toFixed(3)}·b ms`);
  const hideable = await hideableShare(device, GLOBAL_BATCH / DEVICES);
  log(`  share of the grads phase's kernel time after the first bucket is ready (per-kernel times): w = ${(100 * hideable).toFixed(0)}%`);
  const inputs = { globalBatch: GLOBAL_BATCH, compute: c, buckets: bucketBytes, down: staging.down, up: staging.up, reducePerByte: (n: number) => perByte.get(n) ?? 0, barrierMs: ASSUMED_BARRIER_MS, hideable };
  log(`\n  Projected step time on N devices; barrier latency L = ${ASSUMED_BARRIER_MS} ms (ranks on cores of their own; measured here ${barrierMs.toFixed(3)} ms on shared cores).`);
  log(`  Kernels as fast as this lavapipe device (F = 1):\n${indent(formatProjection(project(inputs, 1)))}`);
  log(`\n  Kernels 100× faster (F = 100, a discrete GPU), the same host staging and reduction:\n${indent(formatProjection(project(inputs, 100)))}`);
  device.destroy();
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv.indexOf('--out');
  runParallelBench({ quick: process.argv.includes('--quick'), outDir: out >= 0 ? resolve(process.argv[out + 1]) : join(here, '.cache') }).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
