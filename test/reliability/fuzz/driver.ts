import fc from 'fast-check';
import type { DawnDevice } from '../../../runtime/index.js';
import { type CaseVerdict, loadCorpus, runOnnxCase, type Stage } from './harness.js';
import { type OnnxCase, onnxCase } from './onnx_mutations.js';

/**
 * The ONNX fuzz campaign: a seeded stream of mutated models (fast-check generates the
 * mutations), each run through the harness, with counts by stage and error code. Failures keep
 * the case as JSON with its model's name, which replays it exactly.
 */

export interface FuzzOptions {
  readonly seed: number;
  readonly cases: number;
  /** Stops early (and says so) past this much time. */
  readonly timeLimitMs: number;
  readonly gpuRuns: number;
  readonly device: DawnDevice | undefined;
  readonly hangMs?: number;
  readonly gpuTimeoutMs?: number;
  /** Called every this many cases with the report so far. */
  readonly progressEvery?: number;
  readonly onProgress?: (report: FuzzReport) => void;
  /** Told each case before it runs: a case that kills the process is then known. */
  readonly beforeCase?: (model: string, c: OnnxCase) => void;
}

export interface FuzzFailure {
  readonly model: string;
  readonly case: OnnxCase;
  readonly verdict: CaseVerdict;
}

export interface FuzzReport {
  readonly seed: number;
  cases: number;
  typedErrors: number;
  crashes: number;
  hangs: number;
  absurdAllocations: number;
  /** GPU runs whose outputs differed from the reference interpreter's. */
  wrongResults: number;
  gpuRuns: number;
  /** GPU runs whose outputs all matched the reference interpreter's. */
  gpuRunsChecked: number;
  /** GPU runs whose first inputs held indices out of range (clamped on the device; checked again with valid ones). */
  gpuRunsWithBadIndices: number;
  readonly byStage: Record<Stage, number>;
  readonly byCode: Record<string, number>;
  readonly failures: FuzzFailure[];
  slowestMs: number;
  slowest: { readonly model: string; readonly case: OnnxCase; readonly stage: Stage } | undefined;
  elapsedMs: number;
  interrupted: boolean;
}

const BATCH = 500;
const FAILURES_KEPT = 25;

export async function fuzzOnnx(options: FuzzOptions): Promise<FuzzReport> {
  const corpus = loadCorpus();
  const gpu = { left: options.gpuRuns };
  const report: FuzzReport = {
    seed: options.seed,
    cases: 0,
    typedErrors: 0,
    crashes: 0,
    hangs: 0,
    absurdAllocations: 0,
    wrongResults: 0,
    gpuRuns: 0,
    gpuRunsChecked: 0,
    gpuRunsWithBadIndices: 0,
    byStage: { decode: 0, import: 0, compile: 0, load: 0, run: 0, done: 0 },
    byCode: {},
    failures: [],
    slowestMs: 0,
    slowest: undefined,
    elapsedMs: 0,
    interrupted: false,
  };
  const started = performance.now();
  for (let batch = 0; report.cases < options.cases; batch++) {
    const cases = fc.sample(onnxCase, { seed: batchSeed(options.seed, batch), numRuns: Math.min(BATCH, options.cases - report.cases) });
    for (const c of cases) {
      if (performance.now() - started > options.timeLimitMs) {
        report.interrupted = true;
        report.elapsedMs = performance.now() - started;
        return report;
      }
      const model = corpus[c.model % corpus.length];
      options.beforeCase?.(model.name, c);
      const verdict = await runOnnxCase(model.bytes, c, {
        device: options.device,
        gpu,
        hangMs: options.hangMs ?? 15_000,
        gpuTimeoutMs: options.gpuTimeoutMs ?? 30_000,
        allocationBytes: 1 << 30,
        maxRunBytes: 16 << 20,
      });
      if (verdict.ms > report.slowestMs) report.slowest = { model: model.name, case: c, stage: verdict.stage };
      tally(report, verdict);
      if (verdict.failure && report.failures.length < FAILURES_KEPT) report.failures.push({ model: model.name, case: c, verdict });
      if (options.onProgress && options.progressEvery && report.cases % options.progressEvery === 0) {
        report.elapsedMs = performance.now() - started;
        options.onProgress(report);
      }
    }
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

/** Distinct seeds per (campaign seed, batch): seed 2's second batch is not seed 3's first. */
function batchSeed(seed: number, batch: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(batch + 1, 0x85ebca6b)) | 0;
}

function tally(report: FuzzReport, v: CaseVerdict): void {
  report.cases++;
  report.byStage[v.stage]++;
  report.slowestMs = Math.max(report.slowestMs, v.ms);
  if (v.ranOnGpu) report.gpuRuns++;
  if (v.checked) report.gpuRunsChecked++;
  if (v.badIndices) report.gpuRunsWithBadIndices++;
  if (v.code) {
    report.typedErrors++;
    report.byCode[v.code] = (report.byCode[v.code] ?? 0) + 1;
  }
  if (v.failure?.kind === 'crash') report.crashes++;
  if (v.failure?.kind === 'hang') report.hangs++;
  if (v.failure?.kind === 'allocation') report.absurdAllocations++;
  if (v.failure?.kind === 'wrong') report.wrongResults++;
}

/** The report as a few lines for the test log. */
export function summarize(r: FuzzReport): string {
  const stages = Object.entries(r.byStage)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const codes = Object.entries(r.byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `ONNX fuzz (seed ${r.seed}): ${r.cases} cases in ${(r.elapsedMs / 1000).toFixed(1)} s${r.interrupted ? ' (time limit reached)' : ''}`,
    `  typed errors ${r.typedErrors}, crashes ${r.crashes}, hangs ${r.hangs}, absurd allocations ${r.absurdAllocations}, GPU runs ${r.gpuRuns} (${r.gpuRunsChecked} matched the reference, ${r.wrongResults} did not; ${r.gpuRunsWithBadIndices} first ran out-of-range indices), slowest case ${r.slowestMs.toFixed(0)} ms`,
    `  stopped at: ${stages}`,
    `  slowest: ${r.slowest ? `${r.slowest.model} at ${r.slowest.stage}: ${JSON.stringify(r.slowest.case)}` : 'none'}`,
    `  typed errors by code: ${codes}`,
    ...r.failures.map((f) => `  FAILURE ${f.verdict.failure!.kind} on ${f.model}: ${JSON.stringify(f.case)}\n    ${f.verdict.failure!.detail.split('\n').join('\n    ')}`),
  ].join('\n');
}
