import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchName, Unit } from './cases.js';
import type { PeerName } from './peers.js';
import type { ReportRow } from './report.js';
import type { KernelFigure } from './protocol.js';
import type { KernelRate } from './kernel_table.js';
import { fmaPeakOf, kernelRate } from './kernel_table.js';
import { isMissing } from './report.js';

/**
 * `--json <file>`: one row per (case, peer) in the schema `{bench, case, peer, value,
 * unit}` plus what qualifies the figure. A peer that should have a figure and has none (it
 * failed, was unavailable or skipped) is a `missing` row with a null value and the reason; a
 * peer that cannot run the case by design is an `n/a` row. A measured row always carries a real
 * number, and says whether its outputs matched the reference.
 */

interface JsonRowBase {
  readonly bench: BenchName;
  readonly case: string;
  readonly peer: PeerName;
  readonly unit: Unit;
}

export interface MeasuredJsonRow extends JsonRowBase {
  readonly status: 'measured';
  readonly value: number;
  readonly medianMs: number;
  readonly runs: number;
  /** vs onnxruntime-node CPU; null when not checked (the reference itself, device-peak) or infinite. */
  readonly maxRelError: number | null;
  /** null when not checked; false for a wrong output (then no speedup or peak share is given). */
  readonly outputsMatch: boolean | null;
  readonly dawnflowSpeedup: number | null;
  readonly percentOfPeak: number | null;
  /** dawnflow: its slowest kernels in a profile, with the rate of those that count flops. */
  readonly kernels?: readonly (KernelFigure & KernelRate)[];
  /** The dynamic bench: the symbolic and the specialized plan timed interleaved in this process (medians, ms). */
  readonly paired?: { readonly specializedMs: number; readonly dynamicMs: number; readonly rounds: number };
}

export interface MissingJsonRow extends JsonRowBase {
  readonly status: 'missing' | 'n/a';
  readonly value: null;
  /** What happened: failed, unavailable, skipped (missing) or n/a. */
  readonly outcome: 'failed' | 'unavailable' | 'skipped' | 'n/a';
  readonly reason: string;
}

export type JsonRow = MeasuredJsonRow | MissingJsonRow;

export function jsonRows(rows: readonly ReportRow[]): JsonRow[] {
  const peak = fmaPeakOf(rows);
  return rows.map((row): JsonRow => {
    const r = row.result;
    const base = { bench: r.bench, case: r.case, peer: r.peer, unit: r.unit };
    if (r.status !== 'ok') return { ...base, status: isMissing(r) ? 'missing' : 'n/a', value: null, outcome: r.status, reason: r.reason };
    const checked = row.check.kind === 'checked' ? row.check : undefined;
    const maxRel = checked ? checked.result.maxRelError : null;
    return {
      ...base,
      status: 'measured',
      value: r.value,
      medianMs: r.medianMs,
      runs: r.runs,
      ...(r.paired ? { paired: r.paired } : {}),
      // JSON has no Infinity: a broken output reads as null with outputsMatch false.
      maxRelError: maxRel !== null && Number.isFinite(maxRel) ? maxRel : null,
      outputsMatch: checked ? checked.ok : null,
      dawnflowSpeedup: row.dawnflowSpeedup ?? null,
      percentOfPeak: row.percentOfPeak ?? null,
      ...(r.kernels ? { kernels: r.kernels.map((k) => ({ ...k, ...kernelRate(k, peak) })) } : {}),
    };
  });
}

export function writeJsonReport(file: string, rows: readonly ReportRow[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(jsonRows(rows), null, 2)}\n`);
}
