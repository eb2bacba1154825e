import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchName, Unit } from './cases.js';
import type { PeerName } from './peers.js';
import type { ReportRow } from './report.js';

/**
 * `--json <file>`: one row per measured (case, peer), in the schema
 * `{bench, case, peer, value, unit}` plus what qualifies the figure. Cases that produced no
 * figure are left out: a row always carries a real number.
 */

export interface JsonRow {
  readonly bench: BenchName;
  readonly case: string;
  readonly peer: PeerName;
  readonly value: number;
  readonly unit: Unit;
  readonly medianMs: number;
  readonly runs: number;
  /** vs onnxruntime-node CPU; null when not checked (the reference itself, device-peak). */
  readonly maxRelError: number | null;
  readonly outputsMatch: boolean | null;
  readonly dawnflowSpeedup: number | null;
  readonly percentOfPeak: number | null;
}

export function jsonRows(rows: readonly ReportRow[]): JsonRow[] {
  const out: JsonRow[] = [];
  for (const row of rows) {
    const r = row.result;
    if (r.status !== 'ok') continue;
    const checked = row.check.kind === 'checked' ? row.check : undefined;
    const maxRel = checked ? checked.result.maxRelError : null;
    out.push({
      bench: r.bench,
      case: r.case,
      peer: r.peer,
      value: r.value,
      unit: r.unit,
      medianMs: r.medianMs,
      runs: r.runs,
      // JSON has no Infinity: a broken output reads as null with outputsMatch false.
      maxRelError: maxRel !== null && Number.isFinite(maxRel) ? maxRel : null,
      outputsMatch: checked ? checked.ok : null,
      dawnflowSpeedup: row.dawnflowSpeedup ?? null,
      percentOfPeak: row.percentOfPeak ?? null,
    });
  }
  return out;
}

export function writeJsonReport(file: string, rows: readonly ReportRow[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(jsonRows(rows), null, 2)}\n`);
}
