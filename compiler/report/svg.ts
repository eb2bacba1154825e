import type { CompileResult } from '../compile.js';
import type { PlanSummary } from './plan_report.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One SVG with two panels: the kernel graph (each fused kernel a box listing its ops, arrows for
 * the tensors passed between kernels through memory), and the memory timeline (live arena bytes
 * at each schedule step against the planned arena size and the naive total).
 */
export function renderPlanSvg(result: CompileResult, summary: PlanSummary): string {
  const { report } = result;
  const groups = report.groups;
  const groupOf = new Map(groups.flatMap((g, i) => g.nodes.flatMap((n) => n.outputs.map((v) => [v, i] as const))));
  // Layered layout: a kernel's layer is one more than its deepest producer's.
  const layer = new Array<number>(groups.length).fill(0);
  const edges: [number, number][] = [];
  groups.forEach((g, i) => {
    const inside = new Set(g.nodes.flatMap((n) => n.outputs));
    for (const v of new Set(g.nodes.flatMap((n) => n.inputs))) {
      const p = groupOf.get(v);
      if (p === undefined || inside.has(v)) continue;
      edges.push([p, i]);
      layer[i] = Math.max(layer[i], layer[p] + 1);
    }
  });
  const boxW = 180;
  const lineH = 14;
  const gapX = 30;
  const gapY = 40;
  const byLayer = new Map<number, number[]>();
  groups.forEach((_, i) => byLayer.set(layer[i], [...(byLayer.get(layer[i]) ?? []), i]));
  const heights = groups.map((g) => 22 + lineH * Math.min(g.nodes.length, 12));
  const pos = new Array<{ x: number; y: number }>(groups.length);
  let y = 20;
  let width = 0;
  for (const l of [...byLayer.keys()].sort((a, b) => a - b)) {
    const row = byLayer.get(l)!;
    row.forEach((g, k) => (pos[g] = { x: 20 + k * (boxW + gapX), y }));
    width = Math.max(width, 20 + row.length * (boxW + gapX));
    y += Math.max(...row.map((g) => heights[g])) + gapY;
  }
  const graphH = y;
  const parts: string[] = [];
  for (const [a, b] of edges) {
    const x1 = pos[a].x + boxW / 2;
    const y1 = pos[a].y + heights[a];
    const x2 = pos[b].x + boxW / 2;
    const y2 = pos[b].y;
    parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#888" marker-end="url(#arrow)"/>`);
  }
  groups.forEach((g, i) => {
    const { x, y: gy } = pos[i];
    const fill = g.anchor ? '#fde7c8' : g.nodes.length > 1 ? '#d8ecfb' : '#eeeeee';
    parts.push(`<rect x="${x}" y="${gy}" width="${boxW}" height="${heights[i]}" rx="8" fill="${fill}" stroke="#335" stroke-width="${g.nodes.length > 1 ? 2 : 1}"/>`);
    parts.push(`<text x="${x + 8}" y="${gy + 15}" font-weight="bold">#${i} ${esc(g.root.name).slice(0, 22)}</text>`);
    g.nodes.slice(0, 12).forEach((n, k) => {
      const label = k === 11 && g.nodes.length > 12 ? `… ${g.nodes.length - 11} more` : `${n.op}${n === g.anchor ? ' ⚓' : ''}`;
      parts.push(`<text x="${x + 14}" y="${gy + 30 + k * lineH}">${esc(label)}</text>`);
    });
  });

  // Memory timeline.
  const live = summary.liveBytesPerStep;
  const chartW = Math.max(width, 600) - 80;
  const chartH = 220;
  const top = graphH + 40;
  const maxBytes = Math.max(summary.memory.arenaBytes, ...live, 1);
  const sx = (i: number) => 60 + (i / Math.max(live.length - 1, 1)) * chartW;
  const sy = (b: number) => top + chartH - (b / maxBytes) * chartH;
  const path = live.map((b, i) => `${i ? 'L' : 'M'}${sx(i).toFixed(1)},${sy(b).toFixed(1)}`).join(' ');
  const mib = (b: number) => `${(b / (1 << 20)).toFixed(2)} MiB`;
  parts.push(
    `<text x="60" y="${top - 12}" font-weight="bold">memory timeline: live bytes per schedule step</text>`,
    `<line x1="60" y1="${top + chartH}" x2="${60 + chartW}" y2="${top + chartH}" stroke="#000"/>`,
    `<line x1="60" y1="${top}" x2="60" y2="${top + chartH}" stroke="#000"/>`,
    `<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    `<line x1="60" y1="${sy(summary.memory.arenaBytes)}" x2="${60 + chartW}" y2="${sy(summary.memory.arenaBytes)}" stroke="#d62728" stroke-dasharray="6 4"/>`,
    `<text x="${64}" y="${sy(summary.memory.arenaBytes) - 4}" fill="#d62728">arena ${mib(summary.memory.arenaBytes)} (lower bound ${mib(summary.memory.lowerBoundBytes)}, naive ${mib(summary.memory.naiveBytes)})</text>`,
    `<text x="60" y="${top + chartH + 16}">step 0</text>`,
    `<text x="${60 + chartW - 50}" y="${top + chartH + 16}">step ${live.length - 2}</text>`,
  );
  const totalH = top + chartH + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(width, 600)}" height="${totalH}" font-family="sans-serif" font-size="11">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>',
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="20" y="14" font-weight="bold">${summary.kernels} kernels after fusion (${summary.kernelsUnfused} unfused)</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
