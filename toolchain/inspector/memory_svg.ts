import { escapeHtml } from '../../runtime/report/html_page.js';
import type { InspectionSummary, MemoryBlock } from './inspection.js';

/**
 * The memory timeline as SVG: schedule steps across, arena offsets down, one rectangle per
 * tensor over its lifetime (hover for its name, size and steps); beneath it, the live bytes at
 * each step against the arena and the lower bound.
 */

const LEFT = 70;
const TOP = 10;
const HEIGHT = 300;
const LIVE_HEIGHT = 90;

export function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** `steps` columns for -1 (inputs) … steps (outputs). */
export function renderMemorySvg(blocks: readonly MemoryBlock[], steps: number, summary: InspectionSummary): string {
  const columns = steps + 2;
  const width = Math.min(1400, Math.max(640, LEFT + 20 + columns * 18));
  const colW = (width - LEFT - 20) / columns;
  const arena = Math.max(summary.memory.arenaBytes, ...blocks.map((b) => b.offset + b.bytes), 1);
  const x = (step: number) => LEFT + (step + 1) * colW;
  const y = (offset: number) => TOP + (offset / arena) * HEIGHT;
  const parts: string[] = [];
  blocks.forEach((b, i) => {
    const hue = (i * 137) % 360;
    const h = Math.max(y(b.offset + b.bytes) - y(b.offset), 1);
    parts.push(
      `<rect class="block" x="${x(b.start).toFixed(1)}" y="${y(b.offset).toFixed(1)}" width="${((b.end - b.start + 1) * colW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="hsl(${hue} 60% 70%)" stroke="hsl(${hue} 50% 40%)" stroke-width="0.5"><title>${escapeHtml(`${b.name}: ${formatBytes(b.bytes)} at offset ${b.offset}, steps ${b.start < 0 ? 'input' : b.start}–${b.end >= steps ? 'output' : b.end}`)}</title></rect>`,
    );
  });
  const axis = [
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + HEIGHT}" stroke="#333"/>`,
    `<line x1="${LEFT}" y1="${TOP + HEIGHT}" x2="${x(steps + 1)}" y2="${TOP + HEIGHT}" stroke="#333"/>`,
    `<text x="${LEFT - 6}" y="${TOP + 10}" text-anchor="end">0</text>`,
    `<text x="${LEFT - 6}" y="${TOP + HEIGHT}" text-anchor="end">${escapeHtml(formatBytes(arena))}</text>`,
    `<text x="${LEFT - 6}" y="${TOP + HEIGHT / 2}" text-anchor="end">offset</text>`,
    `<text x="${x(-1) + 2}" y="${TOP + HEIGHT + 14}">in</text>`,
    `<text x="${x(steps) + 2}" y="${TOP + HEIGHT + 14}">out</text>`,
  ];
  const tick = Math.max(1, Math.ceil(steps / 20));
  for (let s = 0; s < steps; s += tick) axis.push(`<text x="${(x(s) + colW / 2).toFixed(1)}" y="${TOP + HEIGHT + 14}" text-anchor="middle">${s}</text>`);

  // Live bytes per step, below.
  const live = summary.liveBytesPerStep;
  const top2 = TOP + HEIGHT + 34;
  const peak = Math.max(arena, ...live, 1);
  const ly = (bytes: number) => top2 + LIVE_HEIGHT - (bytes / peak) * LIVE_HEIGHT;
  const path = live.map((bytes, i) => `${i ? 'L' : 'M'}${(x(i - 1) + colW / 2).toFixed(1)},${ly(bytes).toFixed(1)}`).join(' ');
  const lines = [
    `<path d="${path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>`,
    `<line x1="${LEFT}" y1="${ly(summary.memory.arenaBytes)}" x2="${x(steps + 1)}" y2="${ly(summary.memory.arenaBytes)}" stroke="#b00020" stroke-dasharray="6 4"/>`,
    `<line x1="${LEFT}" y1="${ly(summary.memory.lowerBoundBytes)}" x2="${x(steps + 1)}" y2="${ly(summary.memory.lowerBoundBytes)}" stroke="#2a7d2a" stroke-dasharray="2 3"/>`,
    `<text x="${LEFT - 6}" y="${top2 + LIVE_HEIGHT / 2}" text-anchor="end">live</text>`,
    `<text x="${LEFT + 4}" y="${top2 + LIVE_HEIGHT + 14}"><tspan fill="#1f5fbf">live bytes per step</tspan>  <tspan fill="#b00020">arena ${escapeHtml(formatBytes(summary.memory.arenaBytes))}</tspan>  <tspan fill="#2a7d2a">lower bound ${escapeHtml(formatBytes(summary.memory.lowerBoundBytes))}</tspan></text>`,
  ];
  const height = top2 + LIVE_HEIGHT + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="memory-timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    ...axis,
    ...lines,
    '</svg>',
  ].join('\n');
}
