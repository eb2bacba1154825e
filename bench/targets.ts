import type { ReportRow } from './report.js';
import { speedOf } from './report.js';
import { MLP_CASE, TRANSFORMER_CASE } from './cases.js';
import { WEBGPU_PEERS } from './peers.js';

/** The goals of issue 6, judged on this run's figures (full-size cases only). */

export interface TargetOutcome {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function okRow(rows: readonly ReportRow[], bench: string, match: (caseName: string) => boolean, peer: string): ReportRow | undefined {
  return rows.find((r) => r.result.bench === bench && match(r.result.case) && r.result.peer === peer && r.result.status === 'ok');
}

function speedupVsFastestWebGpu(rows: readonly ReportRow[], bench: string, match: (c: string) => boolean, label: string, peers: readonly string[]): TargetOutcome {
  const ours = okRow(rows, bench, match, 'dawnflow');
  const theirs = peers.map((p) => okRow(rows, bench, match, p)).filter((r): r is ReportRow => r !== undefined);
  const target = `${label}: dawnflow ≥ 2× the fastest of ${peers.join(', ')}`;
  if (!ours || ours.result.status !== 'ok' || theirs.length === 0) return { target, measured: 'not measured', met: undefined };
  const speed = speedOf(ours.result);
  let best = theirs[0];
  for (const r of theirs) if (r.result.status === 'ok' && best.result.status === 'ok' && speedOf(r.result) > speedOf(best.result)) best = r;
  if (best.result.status !== 'ok') return { target, measured: 'not measured', met: undefined };
  const ratio = speed / speedOf(best.result);
  return { target, measured: `×${ratio.toFixed(2)} vs ${best.result.peer}`, met: ratio >= 2 };
}

export function judgeTargets(rows: readonly ReportRow[]): TargetOutcome[] {
  const outcomes: TargetOutcome[] = [];
  const mm = okRow(rows, 'matmul', (c) => c === '1024', 'dawnflow');
  outcomes.push({
    target: 'matmul 1024 fp32: ≥ 25% of the FMA peak measured in this run',
    measured: mm?.percentOfPeak !== undefined ? `${mm.percentOfPeak.toFixed(1)}%` : 'not measured',
    met: mm?.percentOfPeak !== undefined ? mm.percentOfPeak >= 25 : undefined,
  });
  outcomes.push(speedupVsFastestWebGpu(rows, 'inference', (c) => c === 'squeezenet', 'squeezenet', WEBGPU_PEERS));
  outcomes.push(speedupVsFastestWebGpu(rows, 'inference', (c) => c === 'resnet50', 'resnet50', WEBGPU_PEERS));
  outcomes.push(speedupVsFastestWebGpu(rows, 'inference', (c) => c === TRANSFORMER_CASE, 'transformer block', WEBGPU_PEERS));
  outcomes.push(speedupVsFastestWebGpu(rows, 'train-step', (c) => c === MLP_CASE, 'MLP training step', ['tfjs-webgpu']));
  return outcomes;
}

export function formatTargets(outcomes: readonly TargetOutcome[]): string {
  return outcomes.map((o) => `${o.met === undefined ? '  ?  ' : o.met ? ' met ' : ' MISS'}  ${o.target} — ${o.measured}`).join('\n');
}
