import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TRANSFORMER_CASE } from '../cases.js';
import type { ColdRow } from './run.js';

/**
 * The cold-start rows: a console table (seconds to the first result and its phases, next to
 * onnxruntime-node's), the cold-start targets, and the rows in the JSON file.
 */

function cell(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

const HEADERS = ['case', 'peer', 'total s', 'import s', 'compile s', 'pipelines s', 'first run s', 'warm run ms', 'pipelines', 'max rel err', 'dawnflow ÷ peer'] as const;

/** onnxruntime's session creation (graph optimization, kernels, its pipelines) is its "compile". */
export function formatColdTable(rows: readonly ColdRow[]): string {
  const ours = (c: string): ColdRow | undefined => rows.find((r) => r.case === c && r.peer === 'dawnflow');
  const cells = rows.map((r) => {
    if (r.status !== 'ok') return [r.case, r.peer, `${r.status}: ${r.reason}`, '', '', '', '', '', '', '', ''];
    const p = r.report.phases;
    const mine = ours(r.case);
    const ratio = r.peer !== 'dawnflow' && mine?.status === 'ok' ? `×${(r.value / mine.value).toFixed(2)}` : '';
    const err = r.maxRelError === undefined ? (r.peer === 'ort-node-cpu' ? 'reference' : '-') : `${r.outputsMatch ? '' : 'MISMATCH '}${r.maxRelError.toExponential(1)}`;
    return [r.case, r.peer, cell(r.value), cell(p.import), cell(p.compile), r.peer === 'dawnflow' ? cell(p.pipelines) : '-', cell(p.firstRun), cell(r.report.warmRunMs, 1), r.report.pipelines === undefined ? '-' : String(r.report.pipelines), err, ratio];
  });
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]): string => c.map((s, i) => (i >= 2 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  for (const c of cells) {
    if (previous && c[0] !== previous) out.push('');
    previous = c[0];
    out.push(line(c));
  }
  out.push('', 'Each row is a fresh process with MESA_SHADER_CACHE_DISABLE=true and an empty dawnflow cache; seconds from the process start.');
  out.push('compile: dawnflow\'s ONNX import + compile, or onnxruntime\'s session creation. pipelines: dawnflow\'s device + Executable.load.');
  out.push('A driver that compiles shaders at their first dispatch (lavapipe) does it inside the first run: compare with the warm run.');
  out.push('dawnflow ÷ peer: the peer\'s seconds over dawnflow\'s (above 1 dawnflow is faster).');
  return out.join('\n');
}

export interface ColdTarget {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

/** Issue 16: dawnflow's seconds to the first result ≤ onnxruntime-node WebGPU's, on outputs that match. */
export function judgeColdTargets(rows: readonly ColdRow[]): ColdTarget[] {
  return ['squeezenet', 'resnet50', TRANSFORMER_CASE].map((name) => {
    const target = `cold start ${name}: dawnflow ≤ ort-node-webgpu (s to the first result)`;
    const ours = rows.find((r) => r.case === name && r.peer === 'dawnflow');
    const theirs = rows.find((r) => r.case === name && r.peer === 'ort-node-webgpu');
    if (!ours || ours.status !== 'ok') return { target, measured: ours ? `dawnflow ${ours.status}` : 'not run', met: undefined };
    if (ours.outputsMatch === false) return { target, measured: 'dawnflow output MISMATCH', met: false };
    if (!theirs || theirs.status !== 'ok') return { target, measured: `${ours.value.toFixed(2)} s; ort-node-webgpu ${theirs ? theirs.status : 'not run'}`, met: undefined };
    return { target, measured: `${ours.value.toFixed(2)} s vs ${theirs.value.toFixed(2)} s (×${(theirs.value / ours.value).toFixed(2)})`, met: ours.value <= theirs.value };
  });
}

export function formatColdTargets(outcomes: readonly ColdTarget[]): string {
  return outcomes.map((o) => `${o.met === undefined ? '  ?  ' : o.met ? ' met ' : ' MISS'}  ${o.target} — ${o.measured}`).join('\n');
}

/** The rows in the JSON form `{bench, case, peer, value, unit}`, with the phases beside. */
export function coldJsonRows(rows: readonly ColdRow[]): object[] {
  return rows.map((r) => {
    const base = { bench: r.bench, case: r.case, peer: r.peer, unit: r.unit };
    if (r.status !== 'ok') return { ...base, status: 'missing', value: null, outcome: r.status, reason: r.reason };
    return {
      ...base,
      status: 'measured',
      value: r.value,
      phases: r.report.phases,
      warmRunMs: r.report.warmRunMs,
      ...(r.report.pipelines !== undefined ? { pipelines: r.report.pipelines } : {}),
      maxRelError: r.maxRelError !== undefined && Number.isFinite(r.maxRelError) ? r.maxRelError : null,
      outputsMatch: r.outputsMatch ?? null,
    };
  });
}

/** Adds the cold rows to the JSON file the warm run of this invocation wrote, or writes them alone. */
export function appendColdJson(file: string, rows: readonly ColdRow[], afterWarmRows: boolean): void {
  const existing = afterWarmRows && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as object[]) : [];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify([...existing, ...coldJsonRows(rows)], null, 2)}\n`);
}
