import type { BenchCase } from './cases.js';
import type { NamedTensors } from './case_inputs.js';
import type { CheckResult } from './check.js';
import { compareOutputs } from './check.js';
import { readOutputs } from './outputs_store.js';
import type { PeerName } from './peers.js';
import { REFERENCE_PEER } from './peers.js';
import type { CaseResult } from './protocol.js';

/**
 * The results of all peers put side by side: each checked against the reference's outputs,
 * each compared with dawnflow's figure for the same case, matmul-like figures set against the
 * device's FMA peak measured in the same run. Only figures whose outputs matched the reference
 * are compared with anything: a fast wrong answer is no figure.
 */

export type Check = { readonly kind: 'checked'; readonly result: CheckResult; readonly ok: boolean } | { readonly kind: 'reference' } | { readonly kind: 'none'; readonly why: string };

export interface ReportRow {
  readonly benchCase: BenchCase;
  readonly result: CaseResult;
  readonly check: Check;
  /** dawnflow's speed ÷ this peer's speed (> 1: dawnflow is faster); both rows correct. */
  readonly dawnflowSpeedup?: number;
  /** Achieved GFLOP/s as a share of the measured f32 FMA peak (WebGPU peers and dawnflow); correct rows only. */
  readonly percentOfPeak?: number;
}

/**
 * Why a row's figure cannot back a comparison or a verdict, or undefined when it can:
 * `missing` (the peer failed, was unavailable or skipped, or reported nothing), `n/a` (the peer
 * cannot run the case by design), `wrong` (its outputs failed the check), `unchecked` (it has
 * outputs but no reference to check them against).
 */
export interface RowProblem {
  readonly kind: 'missing' | 'n/a' | 'wrong' | 'unchecked';
  readonly why: string;
}

/** A failed, unavailable or skipped result: the peer should have a figure here and has none. */
export function isMissing(r: CaseResult): r is Extract<CaseResult, { status: 'failed' | 'unavailable' | 'skipped' }> {
  return r.status === 'failed' || r.status === 'unavailable' || r.status === 'skipped';
}

export function rowProblem(row: ReportRow): RowProblem | undefined {
  const r = row.result;
  if (r.status === 'n/a') return { kind: 'n/a', why: r.reason };
  if (isMissing(r)) return { kind: 'missing', why: `${r.status}: ${r.reason}` };
  switch (row.check.kind) {
    case 'reference':
      return undefined;
    case 'checked': {
      if (row.check.ok) return undefined;
      const e = row.check.result.maxRelError;
      return { kind: 'wrong', why: `outputs mismatch the reference (max rel err ${Number.isFinite(e) ? e.toExponential(1) : 'inf'} > ${row.benchCase.tolerance})` };
    }
    case 'none':
      // Cases without outputs (the device peaks) have nothing to get wrong.
      return row.check.why === 'no outputs' && row.benchCase.bench === 'device-peak' ? undefined : { kind: 'unchecked', why: `outputs not checked (${row.check.why})` };
  }
}

/** Converts a figure to "higher is better" so that ratios read the same for every unit. */
export function speedOf(r: Extract<CaseResult, { status: 'ok' }>): number {
  return r.unit === 'ms' ? 1 / r.value : r.value;
}

type LoadOutputs = (dir: string) => NamedTensors;

function checkOf(r: CaseResult, c: BenchCase, reference: CaseResult | undefined, load: LoadOutputs): Check {
  if (r.status !== 'ok') return { kind: 'none', why: r.status };
  if (r.peer === REFERENCE_PEER) return { kind: 'reference' };
  if (!r.outputsDir) return { kind: 'none', why: 'no outputs' };
  if (!reference || reference.status !== 'ok' || !reference.outputsDir) return { kind: 'none', why: 'no reference' };
  const result = compareOutputs(load(r.outputsDir), load(reference.outputsDir));
  return { kind: 'checked', result, ok: result.maxRelError <= c.tolerance };
}

/**
 * One row per (case, shown peer). A shown peer without any result for a case gets a `failed`
 * row saying so, so that a missing peer is never silently absent. `load` reads a peer's stored
 * outputs (tests feed synthetic ones).
 */
export function buildReport(cases: readonly BenchCase[], results: readonly CaseResult[], shownPeers: readonly PeerName[], load: LoadOutputs = readOutputs): ReportRow[] {
  const find = (c: BenchCase, peer: PeerName): CaseResult | undefined => results.find((r) => r.bench === c.bench && r.case === c.case && r.peer === peer);
  const fma = results.find((r) => r.bench === 'device-peak' && r.case.startsWith('fma') && r.status === 'ok');
  const peakGflops = fma?.status === 'ok' ? fma.value : undefined;

  const rows: ReportRow[] = [];
  for (const c of cases) {
    const reference = find(c, REFERENCE_PEER);
    const plain = shownPeers.map((peer): ReportRow => {
      const result = find(c, peer) ?? { bench: c.bench, case: c.case, peer, unit: c.unit, status: 'failed', reason: 'no result: its process reported nothing for this case' };
      return { benchCase: c, result, check: checkOf(result, c, reference, load) };
    });
    const ours = plain.find((row) => row.result.peer === 'dawnflow' && !rowProblem(row));
    for (const row of plain) {
      const result = row.result;
      let dawnflowSpeedup: number | undefined;
      let percentOfPeak: number | undefined;
      if (result.status === 'ok' && !rowProblem(row)) {
        if (result.peer !== 'dawnflow' && ours?.result.status === 'ok') dawnflowSpeedup = speedOf(ours.result) / speedOf(result);
        if (peakGflops && c.flops && result.peer !== 'ort-node-cpu') percentOfPeak = (100 * c.flops) / (result.medianMs * 1e6) / peakGflops;
      }
      rows.push({ ...row, ...(dawnflowSpeedup ? { dawnflowSpeedup } : {}), ...(percentOfPeak ? { percentOfPeak } : {}) });
    }
  }
  return rows;
}
