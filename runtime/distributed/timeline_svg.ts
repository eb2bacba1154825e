import type { TimelineEvent } from './timeline.js';

/**
 * Every rank's timeline as one SVG: per rank a device lane (compute in blue, idle left blank)
 * and a transfer lane (communicator calls in orange), a tick at each step's start, a time axis
 * in ms. By default the last three steps, where the run has settled.
 */
export interface TimelineRank {
  readonly rank: number;
  readonly events: readonly TimelineEvent[];
}

export interface TimelineSvgOptions {
  /** Steps [first, last] to draw (default: the last three recorded). */
  readonly steps?: readonly [number, number];
  readonly width?: number;
  readonly title?: string;
}

const COLORS = { compute: '#3b78c4', transfer: '#e08a1e' } as const;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export function renderTimeline(ranks: readonly TimelineRank[], options: TimelineSvgOptions = {}): string {
  const all = ranks.flatMap((r) => r.events);
  const lastStep = Math.max(0, ...all.map((e) => e.step));
  const [first, last] = options.steps ?? [Math.max(0, lastStep - 2), lastStep];
  const shown = ranks.map((r) => ({ rank: r.rank, events: r.events.filter((e) => e.step >= first && e.step <= last) }));
  const events = shown.flatMap((r) => r.events);
  const width = options.width ?? 1200;
  const left = 90;
  const laneHeight = 16;
  const rankHeight = 2 * laneHeight + 14;
  const top = 40;
  const height = top + shown.length * rankHeight + 40;
  if (events.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><text x="10" y="30" font-family="sans-serif" font-size="13">no timeline recorded</text></svg>\n`;
  const t0 = Math.min(...events.map((e) => e.start));
  const t1 = Math.max(...events.map((e) => e.end));
  const scale = (width - left - 20) / Math.max(t1 - t0, 1e-3);
  const x = (t: number) => left + (t - t0) * scale;
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="20" font-size="14">${esc(options.title ?? `steps ${first}–${last}: compute (blue), transfer (orange), idle (blank)`)}</text>`);
  shown.forEach((r, i) => {
    const y = top + i * rankHeight;
    parts.push(`<text x="8" y="${y + laneHeight - 3}" font-size="12">rank ${r.rank} device</text>`);
    parts.push(`<text x="8" y="${y + 2 * laneHeight - 3}" font-size="12">transfers</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${width - left - 20}" height="${laneHeight}" fill="#f2f2f2"/>`);
    for (const e of r.events) {
      const lane = e.kind === 'compute' ? 0 : 1;
      const w = Math.max(0.5, (e.end - e.start) * scale);
      parts.push(`<rect x="${x(e.start).toFixed(2)}" y="${y + lane * laneHeight + 1}" width="${w.toFixed(2)}" height="${laneHeight - 2}" fill="${COLORS[e.kind]}"><title>step ${e.step}: ${esc(e.label)} ${(e.end - e.start).toFixed(2)} ms${e.bytes ? `, ${e.bytes} bytes` : ''}</title></rect>`);
    }
    for (let s = first; s <= last; s++) {
      const starts = r.events.filter((e) => e.step === s).map((e) => e.start);
      if (starts.length) parts.push(`<line x1="${x(Math.min(...starts)).toFixed(2)}" x2="${x(Math.min(...starts)).toFixed(2)}" y1="${y - 2}" y2="${y + 2 * laneHeight + 2}" stroke="#444" stroke-dasharray="2,2"/>`);
    }
  });
  const axisY = top + shown.length * rankHeight + 5;
  parts.push(`<line x1="${left}" x2="${width - 20}" y1="${axisY}" y2="${axisY}" stroke="#444"/>`);
  for (let k = 0; k <= 5; k++) {
    const t = t0 + ((t1 - t0) * k) / 5;
    parts.push(`<text x="${x(t).toFixed(1)}" y="${axisY + 16}" font-size="11" text-anchor="middle">${(t - t0).toFixed(1)} ms</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}
