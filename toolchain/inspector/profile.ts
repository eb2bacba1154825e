import type { ProfileFile } from '../../runtime/profile_file.js';
import type { Inspection } from './inspection.js';

/**
 * A profile (runtime/profile_file.ts: `dawnflow run --profile --json`) joined with an
 * inspection: each step's time, its share of the total, and where the inspection knows its
 * FLOPs, the achieved GFLOP/s and (given the device's peak) the % of peak.
 */

export interface ProfileRow {
  readonly step: number;
  readonly kernel: string;
  readonly label: string;
  readonly ms: number;
  /** Share of the profile's total device time, in %. */
  readonly share: number;
  /** The inspection's step with the same nodes, when there is one. */
  readonly inspectedStep?: number;
  readonly flops?: number;
  readonly gflops?: number;
  readonly percentOfPeak?: number;
  /** GB/s over the bytes the step binds. */
  readonly gbPerS?: number;
}

export interface ProfileView {
  readonly adapter: string;
  readonly plan: string;
  readonly totalMs: number;
  readonly peakGflops?: number;
  readonly rows: readonly ProfileRow[];
  /** Profiled steps found among the inspection's steps (by their nodes). */
  readonly matched: number;
}

/**
 * Joins by label (the nodes a step computes), not by index: `run` compiles for the adapter's
 * limits and the inspector for WebGPU's defaults, which may fuse differently.
 */
export function joinProfile(inspection: Inspection, profile: ProfileFile, peakGflops?: number): ProfileView {
  const totalMs = profile.steps.reduce((s, p) => s + p.ms, 0);
  const free = new Map<string, number[]>();
  for (const s of inspection.steps) free.set(s.label, [...(free.get(s.label) ?? []), s.step]);
  let matched = 0;
  const rows = profile.steps.map((p): ProfileRow => {
    const share = totalMs > 0 ? (100 * p.ms) / totalMs : 0;
    const at = free.get(p.label)?.shift();
    if (at === undefined) return { step: p.step, kernel: p.kernel, label: p.label, ms: p.ms, share };
    matched++;
    const inspected = inspection.steps[at];
    const seconds = p.ms / 1000;
    const gflops = inspected.flops && seconds > 0 ? inspected.flops / seconds / 1e9 : undefined;
    return {
      step: p.step,
      kernel: p.kernel,
      label: p.label,
      ms: p.ms,
      share,
      inspectedStep: at,
      flops: inspected.flops,
      gflops,
      percentOfPeak: gflops !== undefined && peakGflops ? (100 * gflops) / peakGflops : undefined,
      gbPerS: seconds > 0 ? inspected.bytes / seconds / 1e9 : undefined,
    };
  });
  return { adapter: profile.adapter, plan: profile.plan, totalMs, peakGflops, rows, matched };
}
