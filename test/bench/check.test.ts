import { describe, expect, it } from 'vitest';
import type { BenchCase } from '../../bench/cases.js';
import { FULL_CASES, MLP_CASE } from '../../bench/cases.js';
import type { NamedTensors } from '../../bench/case_inputs.js';
import { compareOutputs } from '../../bench/check.js';
import { jsonRows } from '../../bench/json_report.js';
import { median } from '../../bench/measure.js';
import type { PeerName } from '../../bench/peers.js';
import { PEERS } from '../../bench/peers.js';
import type { CaseResult } from '../../bench/protocol.js';
import { buildReport } from '../../bench/report.js';
import { formatTable } from '../../bench/table.js';
import { judgeTargets } from '../../bench/targets.js';
import { formatKernelTable } from '../../bench/kernel_table.js';

const t = (...values: number[]) => ({ shape: [values.length], data: Float32Array.from(values) });

describe('compareOutputs', () => {
  it('is the largest difference over the reference\'s largest magnitude, over all outputs', () => {
    const reference = { y: t(1, -4, 2), z: t(0.5) };
    // |diffs| = 0.5 (y[2]) over max|ref| 4 = 0.125; z: 0.25 over 0.5 = 0.5, the worst.
    expect(compareOutputs({ y: t(1, -4, 2.5), z: t(0.75) }, reference).maxRelError).toBeCloseTo(0.5, 6);
    expect(compareOutputs({ y: t(1, -4, 2), z: t(0.5) }, reference).maxRelError).toBe(0);
  });

  it('reports missing, mis-sized, mis-shaped and non-finite outputs as infinitely wrong', () => {
    const reference = { y: t(1, 2) };
    expect(compareOutputs({ other: t(1, 2) }, reference)).toMatchObject({ maxRelError: Infinity, problem: expect.stringContaining("'y' missing") });
    expect(compareOutputs({ y: t(1, 2, 3) }, reference).maxRelError).toBe(Infinity);
    expect(compareOutputs({ y: t(1, Number.NaN) }, reference)).toMatchObject({ maxRelError: Infinity, problem: "output 'y'[1] is NaN, the reference 2" });
    expect(compareOutputs({ y: t(Infinity, 2) }, reference).maxRelError).toBe(Infinity);
    const square = { y: { shape: [2, 3], data: new Float32Array(6) } };
    expect(compareOutputs({ y: { shape: [3, 2], data: new Float32Array(6) } }, square)).toMatchObject({ maxRelError: Infinity, problem: expect.stringContaining('[3,2]') });
  });

  it('matches a non-finite reference value only exactly, and leaves it out of the scale', () => {
    const reference = { y: t(Number.NaN, Infinity, -Infinity, 2) };
    expect(compareOutputs({ y: t(Number.NaN, Infinity, -Infinity, 2.5) }, reference).maxRelError).toBeCloseTo(0.25, 6);
    expect(compareOutputs({ y: t(0, Infinity, -Infinity, 2) }, reference)).toMatchObject({ maxRelError: Infinity, problem: "output 'y'[0] is 0, the reference NaN" });
    expect(compareOutputs({ y: t(Number.NaN, -Infinity, -Infinity, 2) }, reference).maxRelError).toBe(Infinity);
    // Before, a NaN in the reference made the scale NaN and every comparison false: a pass.
    expect(compareOutputs({ y: t(Number.NaN, Infinity, -Infinity, 1e9) }, reference).maxRelError).toBeGreaterThan(1e8);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });
});

/** Synthetic results: each peer's outputs are held in memory under a made-up directory name. */
function scenario() {
  const outputs = new Map<string, NamedTensors>();
  const results: CaseResult[] = [];
  const byName = (bench: string, name: string): BenchCase => FULL_CASES.find((c) => c.bench === bench && c.case === name)!;
  const measured = (c: BenchCase, peer: PeerName, ms: number, out?: NamedTensors): void => {
    const dir = out ? `mem:${c.case}/${peer}` : undefined;
    if (out && dir) outputs.set(dir, out);
    const value = c.unit === 'ms' ? ms : (c.flops ?? 1) / (ms * 1e6);
    results.push({ bench: c.bench, case: c.case, peer, unit: c.unit, status: 'ok', value, medianMs: ms, runs: 5, setupMs: 10, ...(dir ? { outputsDir: dir } : {}) });
  };
  const failed = (c: BenchCase, peer: PeerName, status: 'failed' | 'unavailable' | 'skipped' | 'n/a', reason: string): void => {
    results.push({ bench: c.bench, case: c.case, peer, unit: c.unit, status, reason });
  };
  const load = (dir: string): NamedTensors => outputs.get(dir)!;
  const report = (peers: readonly PeerName[] = PEERS) => buildReport(FULL_CASES, results, peers, load);
  const verdict = (label: string) => judgeTargets(report()).find((o) => o.target.startsWith(label))!;
  return { byName, measured, failed, report, verdict, results };
}

const right = { y: t(1, 2, 3) };
const wrong = { y: t(1, 2, 4) };
const nan = { y: t(1, Number.NaN, 3) };

describe('bench verdicts', () => {
  it('a correct dawnflow 6× faster than every correct WebGPU peer meets the 5× target', () => {
    const s = scenario();
    const sq = s.byName('inference', 'squeezenet');
    s.measured(sq, 'ort-node-cpu', 50, right);
    s.measured(sq, 'dawnflow', 5, right);
    s.measured(sq, 'ort-web-webgpu', 30, right);
    s.measured(sq, 'ort-node-webgpu', 40, right);
    s.failed(sq, 'tfjs-webgpu', 'n/a', 'tfjs has no ONNX import');
    expect(s.verdict('squeezenet')).toEqual({ target: expect.any(String), measured: '×6.00 vs ort-web-webgpu', met: true });
  });

  it('dawnflow outputs that fail the check are a miss whatever their speed, NaN included', () => {
    for (const out of [wrong, nan]) {
      const s = scenario();
      const sq = s.byName('inference', 'squeezenet');
      s.measured(sq, 'ort-node-cpu', 50, right);
      s.measured(sq, 'dawnflow', 1, out);
      s.measured(sq, 'ort-web-webgpu', 30, right);
      s.measured(sq, 'ort-node-webgpu', 40, right);
      const v = s.verdict('squeezenet');
      expect(v.met).toBe(false);
      expect(v.measured).toMatch(/^dawnflow outputs mismatch the reference \(max rel err (3.3e-1|inf) > 0.001\)$/);
      const row = s.report().find((r) => r.result.case === 'squeezenet' && r.result.peer === 'ort-web-webgpu')!;
      expect(row.dawnflowSpeedup).toBeUndefined();
    }
  });

  it('a missing peer is reported as missing and leaves the target undecided, not met', () => {
    const s = scenario();
    const sq = s.byName('inference', 'squeezenet');
    s.measured(sq, 'ort-node-cpu', 50, right);
    s.measured(sq, 'dawnflow', 5, right);
    s.measured(sq, 'ort-node-webgpu', 40, right);
    s.failed(sq, 'ort-web-webgpu', 'failed', 'the peer does not load: no adapter');
    // tfjs-webgpu reported nothing for this case at all.
    const v = s.verdict('squeezenet');
    expect(v.met).toBeUndefined();
    expect(v.measured).toBe('×8.00 vs ort-node-webgpu; not compared: ort-web-webgpu missing (failed: the peer does not load: no adapter); tfjs-webgpu missing (failed: no result: its process reported nothing for this case)');
  });

  it('a missing peer does not save a miss against a correct one', () => {
    const s = scenario();
    const tb = s.byName('train-step', MLP_CASE);
    s.measured(tb, 'ort-node-cpu', 50, right);
    s.measured(tb, 'dawnflow', 10, right);
    s.measured(tb, 'tfjs-webgpu', 15, right);
    expect(s.verdict('MLP training step')).toMatchObject({ measured: '×1.50 vs tfjs-webgpu', met: false });
  });

  it('a peer with wrong outputs is not the one to beat, and is named', () => {
    const s = scenario();
    const sq = s.byName('inference', 'resnet50');
    s.measured(sq, 'ort-node-cpu', 500, right);
    s.measured(sq, 'dawnflow', 50, right);
    s.measured(sq, 'ort-web-webgpu', 20, wrong);
    s.measured(sq, 'ort-node-webgpu', 400, right);
    s.failed(sq, 'tfjs-webgpu', 'n/a', 'tfjs has no ONNX import');
    const v = s.verdict('resnet50');
    expect(v.met).toBeUndefined();
    expect(v.measured).toMatch(/^×8.00 vs ort-node-webgpu; not compared: ort-web-webgpu outputs mismatch the reference/);
  });

  it('resnet50 within 8× of onnxruntime-node CPU: 7.5× slower meets it, 10× slower misses', () => {
    for (const [ms, met, measured] of [[300, true, '×0.13 vs ort-node-cpu'], [400, false, '×0.10 vs ort-node-cpu']] as const) {
      const s = scenario();
      const rn = s.byName('inference', 'resnet50');
      s.measured(rn, 'ort-node-cpu', 40, right);
      s.measured(rn, 'dawnflow', ms, right);
      expect(s.verdict('resnet50 vs CPU')).toEqual({ target: 'resnet50 vs CPU: dawnflow within 8× of ort-node-cpu', measured, met });
    }
  });

  it('no verdict without a reference to check against, or without dawnflow', () => {
    const s = scenario();
    const sq = s.byName('inference', 'squeezenet');
    s.failed(sq, 'ort-node-cpu', 'failed', 'onnxruntime-node missing');
    s.measured(sq, 'dawnflow', 10, right);
    s.measured(sq, 'ort-web-webgpu', 300, right);
    expect(s.verdict('squeezenet')).toMatchObject({ measured: 'dawnflow outputs not checked (no reference)', met: undefined });
    expect(s.verdict('resnet50')).toMatchObject({ measured: 'dawnflow missing (failed: no result: its process reported nothing for this case)', met: undefined });
  });

  it('the matmul target needs correct outputs and the FMA peak of the same run', () => {
    const s = scenario();
    const mm = s.byName('matmul', '1024');
    const fma = s.byName('device-peak', 'fma-f32');
    s.measured(mm, 'ort-node-cpu', 100, right);
    s.measured(mm, 'dawnflow', 20, right);
    expect(s.verdict('matmul 1024')).toMatchObject({ measured: 'FMA peak missing from this run', met: undefined });
    // 2·1024³ flops in 20 ms = 107 GFLOP/s; a 200 GFLOP/s peak makes that 53.7%.
    s.results.push({ bench: 'device-peak', case: fma.case, peer: 'dawnflow', unit: 'GFLOP/s', status: 'ok', value: 200, medianMs: 1, runs: 3, setupMs: 1 });
    expect(s.verdict('matmul 1024')).toMatchObject({ measured: '53.7%', met: true });

    const bad = scenario();
    bad.measured(mm, 'ort-node-cpu', 100, right);
    bad.measured(mm, 'dawnflow', 20, nan);
    bad.results.push({ bench: 'device-peak', case: fma.case, peer: 'dawnflow', unit: 'GFLOP/s', status: 'ok', value: 200, medianMs: 1, runs: 3, setupMs: 1 });
    expect(bad.verdict('matmul 1024')).toMatchObject({ met: false, measured: expect.stringContaining('outputs mismatch') });
    expect(bad.report().find((r) => r.result.case === '1024' && r.result.peer === 'dawnflow')!.percentOfPeak).toBeUndefined();
  });
});

describe('bench table and JSON', () => {
  it('show a missing peer as missing, with its reason, and an n/a peer as n/a', () => {
    const s = scenario();
    const sq = s.byName('inference', 'squeezenet');
    s.measured(sq, 'ort-node-cpu', 50, right);
    s.measured(sq, 'dawnflow', 10, wrong);
    s.failed(sq, 'ort-web-webgpu', 'unavailable', 'no WebGPU in this Node');
    s.failed(sq, 'tfjs-webgpu', 'n/a', 'tfjs has no ONNX import');
    const rows = s.report().filter((r) => r.result.case === 'squeezenet');
    const table = formatTable(rows);
    expect(table).toMatch(/squeezenet\s+ort-web-webgpu\s+missing \(unavailable\) \[\d\]/);
    expect(table).toMatch(/squeezenet\s+ort-node-webgpu\s+missing \(failed\) \[\d\]/);
    expect(table).toMatch(/dawnflow .*MISMATCH 3.3e-1/);
    expect(table).toContain('no WebGPU in this Node');
    expect(table).toContain('n/a for tfjs-webgpu: tfjs has no ONNX import');

    const json = jsonRows(rows);
    expect(json).toHaveLength(PEERS.length);
    expect(json.find((r) => r.peer === 'ort-web-webgpu')).toEqual({ bench: 'inference', case: 'squeezenet', peer: 'ort-web-webgpu', unit: 'ms', status: 'missing', value: null, outcome: 'unavailable', reason: 'no WebGPU in this Node' });
    expect(json.find((r) => r.peer === 'ort-node-webgpu')).toMatchObject({ status: 'missing', value: null, outcome: 'failed' });
    expect(json.find((r) => r.peer === 'tfjs-webgpu')).toMatchObject({ status: 'n/a', value: null });
    expect(json.find((r) => r.peer === 'dawnflow')).toMatchObject({ status: 'measured', value: 10, outputsMatch: false, dawnflowSpeedup: null });
  });
});

describe('dawnflow kernels in the bench', () => {
  it('state each profiled kernel\'s GFLOP/s and its share of the run\'s FMA peak, in the table and the JSON', () => {
    const s = scenario();
    const rn = s.byName('inference', 'resnet50');
    const fma = s.byName('device-peak', 'fma-f32');
    s.results.push({ bench: 'device-peak', case: fma.case, peer: 'dawnflow', unit: 'GFLOP/s', status: 'ok', value: 100, medianMs: 1, runs: 3, setupMs: 1 });
    s.measured(rn, 'ort-node-cpu', 40, right);
    s.measured(rn, 'dawnflow', 100, right);
    const kernels = [
      { kernel: 'conv+relu', label: "conv 'c1', relu 'r1'", ms: 2, flops: 50e6 },
      { kernel: 'relu+maxPool', label: "relu 'r', maxPool 'p'", ms: 0.5 },
    ];
    const i = s.results.findIndex((r) => r.case === 'resnet50' && r.peer === 'dawnflow');
    s.results[i] = { ...(s.results[i] as Extract<CaseResult, { status: 'ok' }>), kernels };
    const rows = s.report();
    const table = formatKernelTable(rows);
    // 50 MFLOP in 2 ms = 25 GFLOP/s = 25% of a 100 GFLOP/s peak; the pooling kernel counts no flops.
    expect(table).toMatch(/inference resnet50\n\s+2\.000 ms\s+25\.0 GFLOP\/s\s+25\.0% of peak {2}conv\+relu: conv 'c1', relu 'r1'\n\s+0\.500 ms {34}relu\+maxPool/);
    const row = jsonRows(rows).find((r) => r.case === 'resnet50' && r.peer === 'dawnflow');
    expect(row).toMatchObject({ kernels: [{ kernel: 'conv+relu', gflops: 25, percentOfPeak: 25 }, { kernel: 'relu+maxPool', ms: 0.5 }] });
  });
});
