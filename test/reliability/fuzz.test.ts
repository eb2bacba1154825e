import { describe, expect, it } from 'vitest';
import { getDefaultDevice } from '../../runtime/index.js';
import { fuzzOnnx, summarize } from './fuzz/driver.js';

/**
 * The CI part of the ONNX fuzz campaign: a fixed, seeded set of mutated conformance models
 * through import → compile → (a capped number of small plans) load, run and compare with the
 * reference interpreter. Every case must end accepted or refused with a DawnflowError, in
 * bounded time, without an absurd allocation; both outcomes must occur in numbers, the refusals
 * under several codes, and every GPU run must give the reference's outputs. The counts go to
 * the log. `npm run fuzz` runs the same with a bigger budget (and any seed):
 *   DAWNFLOW_FUZZ_SEED, DAWNFLOW_FUZZ_CASES, DAWNFLOW_FUZZ_GPU_RUNS, DAWNFLOW_FUZZ_SECONDS.
 */

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};

const SEED = env('DAWNFLOW_FUZZ_SEED', 20261128);
const CASES = env('DAWNFLOW_FUZZ_CASES', 100_000);
const GPU_RUNS = env('DAWNFLOW_FUZZ_GPU_RUNS', 60);
/** A safety net, not the budget: the case count is. On this 2-core machine 100,000 take ~40 s alone, ~90 s beside other tests. */
const SECONDS = env('DAWNFLOW_FUZZ_SECONDS', 300);

describe('ONNX fuzz', () => {
  it(
    `survives ${CASES} mutated models (seed ${SEED}): accepted ones run right, the rest are typed errors; no crash, hang or absurd allocation`,
    async () => {
      const device = await getDefaultDevice();
      const report = await fuzzOnnx({
        seed: SEED,
        cases: CASES,
        timeLimitMs: SECONDS * 1000,
        gpuRuns: GPU_RUNS,
        device,
        progressEvery: process.env.DAWNFLOW_FUZZ_PROGRESS ? 1000 : undefined,
        onProgress: (r) => console.log(`  ... ${r.cases} cases, ${r.crashes} crashes, ${r.hangs} hangs (${(r.elapsedMs / 1000).toFixed(0)} s)`),
      });
      console.log(summarize(report));
      expect(report.crashes, 'crashes').toBe(0);
      expect(report.hangs, 'hangs').toBe(0);
      expect(report.absurdAllocations, 'absurd allocations').toBe(0);
      expect(report.interrupted, 'every case ran within the time limit').toBe(false);
      expect(report.wrongResults, 'GPU runs unlike the reference').toBe(0);
      expect(report.cases).toBe(CASES);
      // Every case is one of two outcomes: accepted (compiled, maybe run) or a typed refusal.
      const accepted = report.byStage.done;
      expect(report.typedErrors + accepted, 'cases accepted or refused with a typed error').toBe(CASES);
      // Both in numbers: mutations that break the model, and ones it survives.
      expect(report.typedErrors).toBeGreaterThan(CASES / 2);
      expect(accepted).toBeGreaterThan(CASES / 10);
      // Refusals come from every stage and under several codes, not one catch-all.
      expect(report.byStage.decode).toBeGreaterThan(CASES / 10);
      expect(report.byStage.import).toBeGreaterThan(CASES / 10);
      expect(report.byStage.compile).toBeGreaterThan(0);
      for (const code of ['MODEL_FORMAT', 'GRAPH', 'UNSUPPORTED_OP', 'SHAPE', 'DTYPE']) expect(report.byCode[code] ?? 0, `refusals with ${code}`).toBeGreaterThan(CASES / 1000);
      // Every GPU run of an accepted model gave the reference interpreter's outputs.
      expect(report.gpuRuns).toBe(GPU_RUNS);
      expect(report.gpuRunsChecked).toBe(GPU_RUNS);
    },
    (SECONDS + 120) * 1000,
  );
});
