import type { StepProfile } from '../runtime/index.js';
import type { CliIO } from './io.js';

/** The slowest steps first, with their share of the total; the rest summed in one line. */
export function printProfile(steps: readonly StepProfile[], io: CliIO, top = 20): void {
  const total = steps.reduce((s, p) => s + p.ms, 0);
  const sorted = [...steps].sort((a, b) => b.ms - a.ms);
  io.print(`device time per step (timestamp queries, median of 5 runs, one pass per step): ${total.toFixed(2)} ms in ${steps.length} steps`);
  for (const p of sorted.slice(0, top)) {
    const share = total > 0 ? (100 * p.ms) / total : 0;
    io.print(`${p.ms.toFixed(3).padStart(10)} ms ${share.toFixed(1).padStart(5)}%  step ${String(p.step).padStart(3)}  ${p.kernel}: ${p.label}`);
  }
  const rest = sorted.slice(top);
  if (rest.length) io.print(`${rest.reduce((s, p) => s + p.ms, 0).toFixed(3).padStart(10)} ms in ${rest.length} more steps`);
}
