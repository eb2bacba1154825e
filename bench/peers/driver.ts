import type { BenchCase } from '../cases.js';
import type { NamedTensors } from '../case_inputs.js';
import type { PeerName } from '../peers.js';
import type { KernelFigure } from '../protocol.js';

/** How the child process drives one peer through a case. */

export interface PreparedCase {
  /**
   * The first run, whose outputs are checked against the reference: the model's outputs, or
   * for a training step the loss and the parameters after that one step. Empty: nothing to check.
   */
  first(): Promise<NamedTensors>;
  /** One timed run: host inputs in, outputs (the loss, for training) back on the host. */
  run(): Promise<void>;
  dispose(): Promise<void> | void;
  /** Said beside the figure (e.g. what the timed unit includes when it differs). */
  readonly note?: string;
  /** Each kernel's device time in a profiled run (dawnflow, where the adapter has timestamps). */
  profile?(): Promise<KernelFigure[]>;
  /** After the timed runs: this plan and a second plan of the case timed interleaved (see PairedTiming). */
  paired?(): Promise<PairedTiming>;
}

/**
 * Two plans of one case timed in one process, runs interleaved (A B A B ...), so that the load of
 * a shared machine falls on both alike: the dynamic bench's specialized and symbolic plans.
 */
export interface PairedTiming {
  readonly specializedMs: number;
  readonly dynamicMs: number;
  readonly rounds: number;
}

export interface PeerDriver {
  readonly peer: PeerName;
  /** Why this peer cannot run the case by design, or undefined when it can. */
  unsupported(c: BenchCase): string | undefined;
  /** Loads / compiles / creates the session for a case (not timed as a run). */
  prepare(c: BenchCase, modelFile: string | undefined): Promise<PreparedCase>;
  /** Releases what outlives single cases (sessions kept alive, the device). */
  close(): Promise<void>;
}

/** A dependency the case needs is missing: reported as "not available yet", never as a figure. */
export class NotAvailableError extends Error {
  override readonly name = 'NotAvailableError';
}

/** A float32 copy of whatever typed array a peer hands back. */
export function toF32(data: ArrayLike<number>): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}
