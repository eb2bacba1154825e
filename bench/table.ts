import type { ReportRow } from './report.js';
import { isMissing, rowProblem } from './report.js';

/**
 * The console table: one line per (case, peer) with the absolute figure, how it was checked,
 * dawnflow's speed relative to that peer and the share of the device's measured FMA peak;
 * reasons for every figure that is missing follow as numbered notes. A peer without a figure
 * (failed, unavailable, skipped) reads "missing"; one whose outputs are wrong or unchecked gets
 * no ratio and no share of the peak.
 */

const HEADERS = ['bench', 'case', 'peer', 'value', 'unit', 'runs', 'median ms', 'setup s', 'max rel err', 'dawnflow ÷ peer', '% FMA peak'] as const;

function figure(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function checkCell(row: ReportRow): string {
  switch (row.check.kind) {
    case 'reference':
      return 'reference';
    case 'none':
      return row.result.status !== 'ok' ? '' : rowProblem(row) ? 'unchecked' : '-';
    case 'checked': {
      const e = row.check.result.maxRelError;
      const text = Number.isFinite(e) ? e.toExponential(1) : 'inf';
      return row.check.ok ? text : `MISMATCH ${text}`;
    }
  }
}

export function formatTable(rows: readonly ReportRow[]): string {
  const notes: string[] = [];
  const noteFor = (text: string): string => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return `[${i + 1}]`;
  };
  // Cases a peer cannot run by design are summarised below the table, not listed row by row.
  const notApplicable = new Map<string, { peers: Set<string>; cases: Set<string> }>();
  for (const { result: r } of rows) {
    if (r.status !== 'n/a') continue;
    const entry = notApplicable.get(r.reason) ?? { peers: new Set(), cases: new Set() };
    entry.peers.add(r.peer);
    entry.cases.add(`${r.bench} ${r.case}`);
    notApplicable.set(r.reason, entry);
  }
  const cells = rows.filter((row) => row.result.status !== 'n/a').map((row) => {
    const r = row.result;
    const base = [r.bench, r.case, r.peer];
    if (isMissing(r)) return [...base, `missing (${r.status}) ${noteFor(r.reason)}`, r.unit, '', '', '', '', '', ''];
    if (r.status !== 'ok') return [...base, `${r.status} ${noteFor(r.reason)}`, '', '', '', '', '', '', ''];
    const problem = row.check.kind === 'checked' && row.check.result.problem ? ` ${noteFor(row.check.result.problem)}` : '';
    const note = r.note ? ` ${noteFor(r.note)}` : '';
    return [
      ...base,
      `${figure(r.value)}${note}`,
      r.unit,
      String(r.runs),
      figure(r.medianMs),
      (r.setupMs / 1000).toFixed(1),
      `${checkCell(row)}${problem}`,
      row.dawnflowSpeedup ? `×${figure(row.dawnflowSpeedup)}` : '',
      row.percentOfPeak ? `${row.percentOfPeak.toFixed(1)}%` : '',
    ];
  });
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]): string => c.map((s, i) => (i >= 3 && i !== 4 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  for (const c of cells) {
    const key = `${c[0]} ${c[1]}`;
    if (previous && key !== previous) out.push('');
    previous = key;
    out.push(line(c));
  }
  out.push('', 'dawnflow ÷ peer compares speeds (throughput, or 1/time): above 1 dawnflow is faster.');
  out.push('max rel err: largest |peer − onnxruntime-node CPU| over the reference\'s largest |value|, all outputs.');
  out.push('Ratios and % FMA peak are given only for rows whose outputs matched the reference.');
  notes.forEach((n, i) => out.push(`[${i + 1}] ${n}`));
  for (const [reason, { peers, cases }] of notApplicable) out.push(`n/a for ${[...peers].join(', ')}: ${reason} (${[...cases].join(', ')})`);
  return out.join('\n');
}
