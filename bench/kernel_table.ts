import type { KernelFigure } from './protocol.js';
import type { ReportRow } from './report.js';

/**
 * dawnflow's kernels per case: each case's slowest kernels in a profile taken after its timed
 * runs, with the GFLOP/s of those that count flops (contractions) and their share of the f32
 * FMA peak measured in the same run.
 */

/** The run's measured f32 FMA peak (GFLOP/s), if it has one. */
export function fmaPeakOf(rows: readonly ReportRow[]): number | undefined {
  const fma = rows.find((r) => r.result.bench === 'device-peak' && r.result.case.startsWith('fma') && r.result.status === 'ok');
  return fma?.result.status === 'ok' ? fma.result.value : undefined;
}

export interface KernelRate {
  readonly gflops?: number;
  readonly percentOfPeak?: number;
}

export function kernelRate(k: KernelFigure, peakGflops: number | undefined): KernelRate {
  if (k.flops === undefined || !(k.ms > 0)) return {};
  const gflops = k.flops / (k.ms * 1e6);
  return { gflops, ...(peakGflops ? { percentOfPeak: (100 * gflops) / peakGflops } : {}) };
}

export function formatKernelTable(rows: readonly ReportRow[]): string {
  const peak = fmaPeakOf(rows);
  const out: string[] = [];
  for (const row of rows) {
    const r = row.result;
    if (r.peer !== 'dawnflow' || r.status !== 'ok' || !r.kernels?.length) continue;
    out.push(`${r.bench} ${r.case}`);
    for (const k of r.kernels) {
      const { gflops, percentOfPeak } = kernelRate(k, peak);
      const rate = gflops === undefined ? ''.padEnd(30) : `${gflops.toFixed(1).padStart(8)} GFLOP/s ${percentOfPeak === undefined ? ''.padStart(14) : `${percentOfPeak.toFixed(1).padStart(6)}% of peak`}`;
      out.push(`  ${k.ms.toFixed(3).padStart(9)} ms  ${rate}  ${k.kernel}: ${k.label.length > 90 ? `${k.label.slice(0, 87)}...` : k.label}`);
    }
  }
  if (out.length === 0) return '';
  const scale = peak ? `the FMA peak of this run, ${peak.toFixed(1)} GFLOP/s` : 'no FMA peak in this run';
  return [`dawnflow kernels (slowest first; device time, median of 3 profiled runs; GFLOP/s of contractions, share of ${scale}):`, ...out].join('\n');
}
