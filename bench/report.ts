import type { BenchCase } from './cases.js';
import type { CheckResult } from './check.js';
import { compareOutputs } from './check.js';
import { readOutputs } from './outputs_store.js';
import type { PeerName } from './peers.js';
import { REFERENCE_PEER } from './peers.js';
import type { CaseResult } from './protocol.js';

/**
 * The results of all peers put side by side: each checked against the reference's outputs,
 * each compared with dawnflow's figure for the same case, matmul-like figures set against the
 * device's FMA peak measured in the same run.
 */

export type Check = { readonly kind: 'checked'; readonly result: CheckResult; readonly ok: boolean } | { readonly kind: 'reference' } | { readonly kind: 'none'; readonly why: string };

export interface ReportRow {
  readonly benchCase: BenchCase;
  readonly result: CaseResult;
  readonly check: Check;
  /** dawnflow's speed ÷ this peer's speed (> 1: dawnflow is faster). */
  readonly dawnflowSpeedup?: number;
  /** Achieved GFLOP/s as a share of the measured f32 FMA peak (WebGPU peers and dawnflow). */
  readonly percentOfPeak?: number;
}

/** Converts a figure to "higher is better" so that ratios read the same for every unit. */
export function speedOf(r: Extract<CaseResult, { status: 'ok' }>): number {
  return r.unit === 'ms' ? 1 / r.value : r.value;
}

function checkOf(r: CaseResult, c: BenchCase, reference: CaseResult | undefined): Check {
  if (r.status !== 'ok') return { kind: 'none', why: r.status };
  if (r.peer === REFERENCE_PEER) return { kind: 'reference' };
  if (!r.outputsDir) return { kind: 'none', why: 'no outputs' };
  if (!reference || reference.status !== 'ok' || !reference.outputsDir) return { kind: 'none', why: 'no reference' };
  const result = compareOutputs(readOutputs(r.outputsDir), readOutputs(reference.outputsDir));
  return { kind: 'checked', result, ok: result.maxRelError <= c.tolerance };
}

export function buildReport(cases: readonly BenchCase[], results: readonly CaseResult[], shownPeers: readonly PeerName[]): ReportRow[] {
  const find = (c: BenchCase, peer: PeerName): CaseResult | undefined => results.find((r) => r.bench === c.bench && r.case === c.case && r.peer === peer);
  const fma = results.find((r) => r.bench === 'device-peak' && r.case.startsWith('fma') && r.status === 'ok');
  const peakGflops = fma?.status === 'ok' ? fma.value : undefined;

  const rows: ReportRow[] = [];
  for (const c of cases) {
    const reference = find(c, REFERENCE_PEER);
    const ours = find(c, 'dawnflow');
    for (const peer of shownPeers) {
      const result = find(c, peer);
      if (!result) continue;
      let dawnflowSpeedup: number | undefined;
      let percentOfPeak: number | undefined;
      if (result.status === 'ok') {
        if (peer !== 'dawnflow' && ours?.status === 'ok') dawnflowSpeedup = speedOf(ours) / speedOf(result);
        if (peakGflops && c.flops && peer !== 'ort-node-cpu') percentOfPeak = (100 * c.flops) / (result.medianMs * 1e6) / peakGflops;
      }
      rows.push({ benchCase: c, result, check: checkOf(result, c, reference), ...(dawnflowSpeedup ? { dawnflowSpeedup } : {}), ...(percentOfPeak ? { percentOfPeak } : {}) });
    }
  }
  return rows;
}
