import type { PeerName } from '../peers.js';

/** What the cold-start parent asks of one fresh process, and what that process reports. */

/** The peers measured from a cold start: dawnflow and onnxruntime-node's two providers. */
export const COLD_PEERS = ['ort-node-cpu', 'dawnflow', 'ort-node-webgpu'] as const satisfies readonly PeerName[];
export type ColdPeer = (typeof COLD_PEERS)[number];

export interface ColdRequest {
  readonly peer: ColdPeer;
  readonly modelFile: string;
  /** The inputs, written by the parent (outputs_store format) so the child imports nothing to make them. */
  readonly inputsDir: string;
  /** Where the first run's outputs go for the check. */
  readonly outputsDir: string;
  /** Warm runs timed after the first result (their median is reported beside it). */
  readonly warmRuns: number;
  /**
   * The built package (tsc's `dist/`) to import dawnflow from: what a user of the package
   * imports, plain JavaScript like onnxruntime-node's. Absent, the TypeScript sources through tsx
   * (their on-the-fly transpile then counts in `import`).
   */
  readonly dawnflowBuild?: string;
}

/**
 * Seconds from the process's start: `import` runs to the peer's library being loaded (Node's
 * own start-up included, the same for every peer), `compile` is dawnflow's import + compile of
 * the model or onnxruntime's session creation (its graph optimization and kernel set-up),
 * `pipelines` dawnflow's device and pipeline creation (Executable.load; onnxruntime creates
 * its pipelines inside the session and the run), `firstRun` the first run with its outputs on
 * the host. Drivers that compile a shader only when it is first dispatched (lavapipe) do that
 * work inside `firstRun`; `warmRunMs` tells it apart from the run itself.
 */
export interface ColdPhases {
  readonly import: number;
  readonly compile: number;
  readonly pipelines: number;
  readonly firstRun: number;
}

export interface ColdReport {
  readonly phases: ColdPhases;
  /** Seconds to the first result: the sum of the phases. */
  readonly totalS: number;
  readonly warmRunMs: number;
  /** Distinct compute pipelines dawnflow created (absent for other peers). */
  readonly pipelines?: number;
}

/** The line a cold child prints last, followed by its report as JSON. */
export const COLD_REPORT_PREFIX = 'cold-report ';
