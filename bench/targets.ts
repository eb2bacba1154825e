import type { ReportRow } from './report.js';
import { rowProblem, speedOf } from './report.js';
import { MLP_CASE, TRANSFORMER_CASE } from './cases.js';
import { WEBGPU_PEERS } from './peers.js';

/**
 * The goals of issue 16 (those of issue 6, raised), judged on this run's figures (full-size
 * cases only): matmul 1024³ at 45% of the FMA peak measured in the run; squeezenet, resnet50 and
 * the transformer block 5× the fastest WebGPU peer; resnet50 within 8× of onnxruntime-node's CPU
 * provider; the MLP training step 5× tfjs-webgpu. A verdict stands
 * only on rows whose outputs matched the reference: dawnflow's wrong outputs are a miss
 * whatever their speed; dawnflow missing or unchecked gives no verdict. A peer that is missing,
 * wrong or unchecked is named as such: it cannot make a target met (the fastest peer may be
 * the one that is missing), though a correct peer dawnflow does not beat by the factor still makes a miss.
 */

export interface TargetOutcome {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function rowOf(rows: readonly ReportRow[], bench: string, caseName: string, peer: string): ReportRow | undefined {
  return rows.find((r) => r.result.bench === bench && r.result.case === caseName && r.result.peer === peer);
}

type Measured = Extract<ReportRow['result'], { status: 'ok' }>;

/** dawnflow's figure when it can back a verdict, or the outcome saying why it cannot. */
function dawnflowFigure(rows: readonly ReportRow[], bench: string, caseName: string, target: string): { row: ReportRow; result: Measured } | { outcome: TargetOutcome } {
  const row = rowOf(rows, bench, caseName, 'dawnflow');
  if (!row) return { outcome: { target, measured: 'dawnflow not run', met: undefined } };
  const problem = rowProblem(row);
  if (!problem && row.result.status === 'ok') return { row, result: row.result };
  const why = problem?.why ?? row.result.status;
  const measured = problem?.kind === 'missing' ? `dawnflow missing (${why})` : `dawnflow ${why}`;
  return { outcome: { target, measured, met: problem?.kind === 'wrong' ? false : undefined } };
}

/** Issue 16's figures. */
export const TARGETS = { matmulPercentOfPeak: 45, speedupVsWebGpu: 5, resnet50VsCpu: 8, mlpVsTfjs: 5 } as const;

function matmulTarget(rows: readonly ReportRow[]): TargetOutcome {
  const target = `matmul 1024 fp32: ≥ ${TARGETS.matmulPercentOfPeak}% of the FMA peak measured in this run`;
  const ours = dawnflowFigure(rows, 'matmul', '1024', target);
  if ('outcome' in ours) return ours.outcome;
  const percent = ours.row.percentOfPeak;
  if (percent === undefined) return { target, measured: 'FMA peak missing from this run', met: undefined };
  return { target, measured: `${percent.toFixed(1)}%`, met: percent >= TARGETS.matmulPercentOfPeak };
}

/**
 * dawnflow's speed over the fastest correct peer of `peers`, at least `factor`; with `factor`
 * below 1 ("within 1/factor×"), dawnflow may be that much slower.
 */
function speedupVsFastest(rows: readonly ReportRow[], bench: string, caseName: string, label: string, peers: readonly string[], factor: number): TargetOutcome {
  const target = factor >= 1 ? `${label}: dawnflow ≥ ${factor}× the fastest of ${peers.join(', ')}` : `${label}: dawnflow within ${1 / factor}× of ${peers.join(', ')}`;
  const ours = dawnflowFigure(rows, bench, caseName, target);
  if ('outcome' in ours) return ours.outcome;
  const correct: ReportRow[] = [];
  /** Peers that should be compared and cannot: missing, wrong or unchecked. */
  const absent: string[] = [];
  for (const peer of peers) {
    const row = rowOf(rows, bench, caseName, peer);
    const problem = row ? rowProblem(row) : { kind: 'missing', why: 'not run' };
    // A peer that cannot run the case by design is not a competitor for it.
    if (problem?.kind === 'n/a') continue;
    if (row && !problem) correct.push(row);
    else absent.push(problem?.kind === 'missing' ? `${peer} missing (${problem.why})` : `${peer} ${problem?.why}`);
  }
  const absentText = absent.length > 0 ? `; not compared: ${absent.join('; ')}` : '';
  let best: { peer: string; speed: number } | undefined;
  for (const r of correct) if (r.result.status === 'ok' && (!best || speedOf(r.result) > best.speed)) best = { peer: r.result.peer, speed: speedOf(r.result) };
  if (!best) return { target, measured: `no peer measured correctly${absentText}`, met: undefined };
  const ratio = speedOf(ours.result) / best.speed;
  return {
    target,
    measured: `×${ratio.toFixed(2)} vs ${best.peer}${absentText}`,
    met: ratio < factor ? false : absent.length > 0 ? undefined : true,
  };
}

/** Issue 15: one plan for every size costs at most 1.25× the plan specialized to the size, on every dynamic case. */
function dynamicTarget(rows: readonly ReportRow[]): TargetOutcome {
  const target = "one plan for every size: 'dawnflow-dynamic' within 1.25× of 'dawnflow' (specialized) on each dynamic case";
  const cases = [...new Set(rows.filter((r) => r.result.bench === 'dynamic').map((r) => r.result.case))];
  if (cases.length === 0) return { target, measured: 'the dynamic bench was not run', met: undefined };
  const parts: string[] = [];
  let met: boolean | undefined = true;
  for (const name of cases) {
    const fixed = rowOf(rows, 'dynamic', name, 'dawnflow');
    const dynamic = rowOf(rows, 'dynamic', name, 'dawnflow-dynamic');
    const problem = (r: ReportRow | undefined) => (r ? rowProblem(r) : { kind: 'missing' as const, why: 'not run' });
    const [pf, pd] = [problem(fixed), problem(dynamic)];
    if (pf || pd || fixed?.result.status !== 'ok' || dynamic?.result.status !== 'ok') {
      parts.push(`${name}: ${pd ? `dynamic ${pd.why}` : `specialized ${pf?.why ?? 'missing'}`}`);
      if (pd?.kind === 'wrong') met = false;
      else if (met) met = undefined;
      continue;
    }
    // Both plans timed interleaved in one process where the dynamic peer did so: the load of a shared
    // machine then falls on both; else the two peers' own figures, measured at different times.
    const paired = dynamic.result.paired;
    const ratio = paired ? paired.dynamicMs / paired.specializedMs : dynamic.result.medianMs / fixed.result.medianMs;
    parts.push(`${name} ×${ratio.toFixed(2)}${paired ? ` (interleaved, ${paired.rounds} rounds)` : ' (separate processes)'}`);
    if (ratio > 1.25) met = false;
  }
  return { target, measured: parts.join('; '), met };
}

export function judgeTargets(rows: readonly ReportRow[]): TargetOutcome[] {
  return [
    dynamicTarget(rows),
    matmulTarget(rows),
    speedupVsFastest(rows, 'inference', 'squeezenet', 'squeezenet', WEBGPU_PEERS, TARGETS.speedupVsWebGpu),
    speedupVsFastest(rows, 'inference', 'resnet50', 'resnet50', WEBGPU_PEERS, TARGETS.speedupVsWebGpu),
    speedupVsFastest(rows, 'inference', TRANSFORMER_CASE, 'transformer block', WEBGPU_PEERS, TARGETS.speedupVsWebGpu),
    speedupVsFastest(rows, 'inference', 'resnet50', 'resnet50 vs CPU', ['ort-node-cpu'], 1 / TARGETS.resnet50VsCpu),
    speedupVsFastest(rows, 'train-step', MLP_CASE, 'MLP training step', ['tfjs-webgpu'], TARGETS.mlpVsTfjs),
  ];
}

export function formatTargets(outcomes: readonly TargetOutcome[]): string {
  return outcomes.map((o) => `${o.met === undefined ? '  ?  ' : o.met ? ' met ' : ' MISS'}  ${o.target} — ${o.measured}`).join('\n');
}
