import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readOutputs, writeOutputs } from '../outputs_store.js';
import type { NamedTensors } from '../case_inputs.js';
import type { ColdPhases, ColdReport, ColdRequest } from './protocol.js';
import { COLD_REPORT_PREFIX } from './protocol.js';
import { upperMedian } from '../measure.js';

/**
 * One cold start: a fresh process loads one peer's library, prepares one model and runs it
 * once, timing each phase from the process's own start (`performance.now()` counts from it).
 * It imports nothing heavy before its clock runs: the inputs come from files the parent wrote.
 * Usage: `tsx bench/cold/child.ts <request.json>`.
 */

const seconds = (ms: number): number => ms / 1000;


interface Prepared {
  readonly phases: Omit<ColdPhases, 'firstRun'>;
  readonly run: () => Promise<NamedTensors>;
  readonly pipelines?: number;
}

async function dawnflow(request: ColdRequest, inputs: NamedTensors): Promise<Prepared> {
  // The built package where the parent made one (what users import), else the sources.
  const from = (file: string): string => (request.dawnflowBuild ? pathToFileURL(join(request.dawnflowBuild, file)).href : `../../${file}`);
  const [{ compile }, { importOnnx }, runtime] = await Promise.all([
    import(from('compiler/compile.js')) as Promise<typeof import('../../compiler/compile.js')>,
    import(from('compiler/onnx/import.js')) as Promise<typeof import('../../compiler/onnx/import.js')>,
    import(from('runtime/index.js')) as Promise<typeof import('../../runtime/index.js')>,
  ]);
  const imported = performance.now();
  const device = await runtime.getDefaultDevice();
  const withDevice = performance.now();
  const plan = compile(importOnnx(readFileSync(request.modelFile), { source: request.modelFile }).graph, { limits: device.limits });
  const compiled = performance.now();
  const exe = await runtime.Executable.load(plan, device);
  const loaded = performance.now();
  const feeds = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, t.data]));
  return {
    phases: { import: seconds(imported), compile: seconds(compiled - withDevice), pipelines: seconds(withDevice - imported + loaded - compiled) },
    pipelines: new Set(plan.kernels.map((k) => k.wgsl)).size,
    run: async () => {
      const out = await exe.run(feeds);
      return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, { shape: [...t.shape], data: Float32Array.from(t.data as ArrayLike<number>) }]));
    },
  };
}

async function onnxruntime(request: ColdRequest, inputs: NamedTensors, provider: 'cpu' | 'webgpu'): Promise<Prepared> {
  const ort = await import('onnxruntime-node');
  const imported = performance.now();
  const session = await ort.InferenceSession.create(request.modelFile, { executionProviders: [provider] });
  const created = performance.now();
  return {
    phases: { import: seconds(imported), compile: seconds(created - imported), pipelines: 0 },
    run: async () => {
      const feeds = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new ort.Tensor('float32', t.data, [...t.shape])]));
      const outputs = await session.run(feeds);
      const read: NamedTensors = {};
      for (const [name, t] of Object.entries(outputs)) {
        read[name] = { shape: [...t.dims], data: Float32Array.from(t.data as ArrayLike<number>) };
        t.dispose();
      }
      return read;
    },
  };
}

async function main(): Promise<void> {
  const request = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ColdRequest;
  const inputs = readOutputs(request.inputsDir);
  const prepared = request.peer === 'dawnflow' ? await dawnflow(request, inputs) : await onnxruntime(request, inputs, request.peer === 'ort-node-cpu' ? 'cpu' : 'webgpu');
  const beforeRun = performance.now();
  const outputs = await prepared.run();
  const firstResult = performance.now();
  const phases: ColdPhases = { ...prepared.phases, firstRun: seconds(firstResult - beforeRun) };
  writeOutputs(request.outputsDir, outputs);
  const warm: number[] = [];
  for (let i = 0; i < request.warmRuns; i++) {
    const t = performance.now();
    await prepared.run();
    warm.push(performance.now() - t);
  }
  const totalS = phases.import + phases.compile + phases.pipelines + phases.firstRun;
  const report: ColdReport = { phases, totalS, warmRunMs: upperMedian(warm), ...(prepared.pipelines !== undefined ? { pipelines: prepared.pipelines } : {}) };
  process.stdout.write(`${COLD_REPORT_PREFIX}${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  },
);
