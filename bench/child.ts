import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from './cases.js';
import { caseId } from './cases.js';
import { bandwidthBytesPerRun, fmaFlopsPerRun } from './device_peak_plans.js';
import { measure } from './measure.js';
import { modelPath } from './model_files.js';
import { writeOutputs } from './outputs_store.js';
import type { PeerName } from './peers.js';
import type { PeerDriver } from './peers/driver.js';
import { NotAvailableError } from './peers/driver.js';
import type { CaseResult, ChildRequest } from './protocol.js';
import { DONE_MARKER } from './protocol.js';

/**
 * One peer's process: runs its cases one after another on its own device and appends each
 * result to the results file as soon as it is known, so a crash or a kill loses only the case
 * in progress. Usage: `tsx bench/child.ts <request.json>`.
 */

/** Kernels of a profile kept per case (the slowest). */
const KERNELS_KEPT = 8;

async function createDriver(peer: PeerName): Promise<PeerDriver> {
  switch (peer) {
    case 'dawnflow':
      return new (await import('./peers/dawnflow.js')).DawnflowDriver();
    case 'dawnflow-dynamic':
      return new (await import('./peers/dawnflow.js')).DawnflowDriver({ dynamic: true });
    case 'ort-node-cpu':
    case 'ort-node-webgpu':
      return new (await import('./peers/ort_node.js')).OrtNodeDriver(peer);
    case 'ort-web-webgpu':
      return new (await import('./peers/ort_web.js')).OrtWebDriver();
    case 'tfjs-webgpu':
      return new (await import('./peers/tfjs.js')).TfjsDriver();
  }
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0].slice(0, 300);
}

function valueOf(c: BenchCase, medianMs: number, workPerRun: number | undefined): number {
  if (c.unit === 'ms') return medianMs;
  if (workPerRun === undefined) throw new Error(`${c.bench} ${c.case}: a ${c.unit} figure needs the work per run`);
  return workPerRun / (medianMs * 1e6);
}

/** Flops (or bytes moved) by one run of the device-peak plans and the matmul. */
function workPerRun(c: BenchCase): number | undefined {
  const spec = c.spec;
  if (spec.kind === 'fma') return fmaFlopsPerRun(spec.invocations, spec.iterations, spec.repeats);
  if (spec.kind === 'bandwidth') return bandwidthBytesPerRun(spec.bytes, spec.repeats);
  return c.flops;
}

async function runCase(driver: PeerDriver, request: ChildRequest, c: BenchCase, casesLeft: number): Promise<CaseResult> {
  const base = { bench: c.bench, case: c.case, peer: request.peer, unit: c.unit };
  const reason = driver.unsupported(c);
  if (reason) return { ...base, status: 'n/a', reason };
  if (request.skipLate && Date.now() > request.deadline) return { ...base, status: 'skipped', reason: 'the time budget ran out before this case' };

  const setupStart = performance.now();
  const prepared = await driver.prepare(c, modelPath(request.cacheDir, c));
  try {
    const outputs = await prepared.first();
    const setupMs = performance.now() - setupStart;
    let outputsDir: string | undefined;
    if (Object.keys(outputs).length > 0) {
      outputsDir = join(request.cacheDir, 'outputs', request.peer, caseId(c));
      rmSync(outputsDir, { recursive: true, force: true });
      writeOutputs(outputsDir, outputs);
    }
    const remaining = request.deadline - Date.now();
    const budgetMs = Math.max(0, Math.min(request.caseBudgetMs, remaining / casesLeft));
    const m = await measure(() => prepared.run(), { budgetMs, minRuns: request.minRuns, maxRuns: request.maxRuns, deadline: request.deadline });
    // The slowest kernels, profiled after the timed runs (their figures stay those of plain runs).
    const kernels = prepared.profile ? [...(await prepared.profile())].sort((a, b) => b.ms - a.ms).slice(0, KERNELS_KEPT) : undefined;
    const paired = prepared.paired ? await prepared.paired() : undefined;
    return {
      ...base,
      status: 'ok',
      value: valueOf(c, m.medianMs, workPerRun(c)),
      medianMs: m.medianMs,
      runs: m.runs,
      setupMs,
      ...(outputsDir ? { outputsDir } : {}),
      ...(prepared.note ? { note: prepared.note } : {}),
      ...(kernels ? { kernels } : {}),
      ...(paired ? { paired } : {}),
    };
  } finally {
    await prepared.dispose();
  }
}

function describe(r: CaseResult): string {
  if (r.status === 'ok') {
    const paired = r.paired ? `; interleaved with the specialized plan: ${r.paired.dynamicMs.toPrecision(4)} vs ${r.paired.specializedMs.toPrecision(4)} ms (×${(r.paired.dynamicMs / r.paired.specializedMs).toFixed(2)})` : '';
    return `${r.value.toPrecision(4)} ${r.unit} (median of ${r.runs}, setup ${(r.setupMs / 1000).toFixed(1)} s${paired})`;
  }
  return `${r.status}: ${r.reason}`;
}

async function main(): Promise<void> {
  const request = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ChildRequest;
  const report = (r: CaseResult): void => {
    appendFileSync(request.resultsFile, `${JSON.stringify(r)}\n`);
    process.stderr.write(`[${request.peer}] ${r.bench} ${r.case}: ${describe(r)}\n`);
  };
  let driver: PeerDriver;
  try {
    driver = await createDriver(request.peer);
  } catch (error) {
    for (const c of request.cases) report({ bench: c.bench, case: c.case, peer: request.peer, unit: c.unit, status: 'failed', reason: `the peer does not load: ${firstLine(error)}` });
    return;
  }
  for (let i = 0; i < request.cases.length; i++) {
    const c = request.cases[i];
    try {
      report(await runCase(driver, request, c, request.cases.length - i));
    } catch (error) {
      const status = error instanceof NotAvailableError ? 'unavailable' : 'failed';
      report({ bench: c.bench, case: c.case, peer: request.peer, unit: c.unit, status, reason: firstLine(error) });
    }
  }
  await driver.close();
  // The parent stops a process that lingers after this (onnxruntime-web's exit waits for its
  // wasm tier-up to finish, minutes on two busy cores).
  process.stderr.write(`[${request.peer}] ${DONE_MARKER}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[child] ${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  },
);
