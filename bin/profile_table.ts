import type { FmaPeak, StepProfile } from '../runtime/index.js';
import type { CliIO } from './io.js';

/**
 * The slowest steps first, with their share of the total; the rest summed in one line. Steps
 * whose plan counts their flops (contractions: matmul, conv and their gradients, attention)
 * show the GFLOP/s they achieved and, given the device's measured FMA peak, its share.
 */
export function printProfile(steps: readonly StepProfile[], io: CliIO, peak?: FmaPeak, top = 20): void {
  const total = steps.reduce((s, p) => s + p.ms, 0);
  const sorted = [...steps].sort((a, b) => b.ms - a.ms);
  io.print(`device time per step (timestamp queries, median of 5 runs, one pass per step): ${total.toFixed(2)} ms in ${steps.length} steps`);
  if (peak) io.print(`f32 FMA peak measured now: ${peak.gflops.toFixed(1)} GFLOP/s (${peak.timing === 'device' ? 'timestamp queries' : 'wall clock'})`);
  for (const p of sorted.slice(0, top)) {
    const share = total > 0 ? (100 * p.ms) / total : 0;
    io.print(`${p.ms.toFixed(3).padStart(10)} ms ${share.toFixed(1).padStart(5)}%${rate(p, peak)}  step ${String(p.step).padStart(3)}  ${p.kernel}: ${p.label}`);
  }
  const rest = sorted.slice(top);
  if (rest.length) io.print(`${rest.reduce((s, p) => s + p.ms, 0).toFixed(3).padStart(10)} ms in ${rest.length} more steps`);
}

/** "    12.3 GFLOP/s     9.50% of peak" for steps with flops; blanks of the same width otherwise. */
function rate(p: StepProfile, peak: FmaPeak | undefined): string {
  const width = 18 + (peak ? 17 : 0);
  if (p.flops === undefined || !(p.ms > 0)) return ' '.repeat(width);
  const gflops = p.flops / (p.ms * 1e6);
  const share = peak ? ` ${figure((100 * gflops) / peak.gflops).padStart(7)}% of peak` : '';
  return `  ${figure(gflops).padStart(8)} GFLOP/s${share}`;
}

/** Three significant digits, a tiny kernel's rate included (no "0.0"). */
function figure(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3);
}
