import type { BenchCase, BenchName, Unit } from './cases.js';
import type { PeerName } from './peers.js';

/** What the parent asks of one peer's process, and what that process reports per case. */

/** The last line a peer's process prints: every result is written, it may be stopped. */
export const DONE_MARKER = 'done';

export interface ChildRequest {
  readonly peer: PeerName;
  readonly cases: readonly BenchCase[];
  readonly cacheDir: string;
  /** Epoch ms after which no new case is started (when `skipLate`) and no timed run either. */
  readonly deadline: number;
  /** Skip the cases not started by the deadline (the full run); a smoke test runs them all. */
  readonly skipLate: boolean;
  /** Time for the measured runs of one case, before any deadline squeeze. */
  readonly caseBudgetMs: number;
  /** Fewest and most measured runs per case. */
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Where the process appends one JSON CaseResult per line. */
  readonly resultsFile: string;
}

interface ResultBase {
  readonly bench: BenchName;
  readonly case: string;
  readonly peer: PeerName;
  readonly unit: Unit;
}

export type CaseResult =
  | (ResultBase & {
      readonly status: 'ok';
      /** In `unit`: derived from the median time for throughput units. */
      readonly value: number;
      readonly medianMs: number;
      readonly runs: number;
      /** Time to load the model / compile / create the session. */
      readonly setupMs: number;
      /** Where the first run's outputs were written for the check, if it has any. */
      readonly outputsDir?: string;
      readonly note?: string;
      /** dawnflow: its slowest kernels in a profile after the timed runs (see KernelFigure). */
      readonly kernels?: readonly KernelFigure[];
      /** The dynamic bench: both plans timed interleaved in this peer's process (medians). */
      readonly paired?: { readonly specializedMs: number; readonly dynamicMs: number; readonly rounds: number };
    })
  /** The peer cannot run this case by design (e.g. tfjs has no ONNX import). */
  | (ResultBase & { readonly status: 'n/a'; readonly reason: string })
  /** A dawnflow piece this case needs has not landed yet. */
  | (ResultBase & { readonly status: 'unavailable'; readonly reason: string })
  | (ResultBase & { readonly status: 'skipped'; readonly reason: string })
  | (ResultBase & { readonly status: 'failed'; readonly reason: string });

export type CaseStatus = CaseResult['status'];

/** One kernel of a profiled dawnflow run: device time (median of a few runs) and its flops where counted. */
export interface KernelFigure {
  readonly kernel: string;
  readonly label: string;
  readonly ms: number;
  readonly flops?: number;
}
