import type { DType } from '../ir/dtype.js';
import type { Shape } from '../ir/shape.js';
import type { DawnDevice } from './device.js';
import type { DeviceTensor } from './device_tensor.js';
import type { NumericGuardOptions } from './numeric_guard.js';

/** What Executable.load and run() accept, and what a recovery reports. */

export interface RunOptions {
  /** The outputs to read back (default: all of them). */
  readonly outputs?: readonly string[];
  /**
   * Outputs to leave in device tensors instead (copied on the GPU at the end of the run; each
   * tensor takes its output's shape). Name them in `outputs` too to also read them back.
   */
  readonly into?: Readonly<Record<string, DeviceTensor>>;
}

/** A named tensor of the plan's signature. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  /** Sizes, and symbolic dims (strings: 'batch', 'S+1') that take the sizes the inputs give them at each run. */
  readonly shape: Shape;
}

export interface ExecutableOptions {
  /**
   * Copy the states to host memory after every N-th run (N >= 1), as the snapshot a device
   * loss restores. Without it (and without a call to `snapshot()`), a loss restores the
   * plan's initial state values. With it, `writeState` is followed by a snapshot too.
   */
  readonly snapshotEvery?: number;
  /** What `run()` does on device loss: 'recover' (default) and retry once, or 'throw'. */
  readonly onDeviceLost?: 'recover' | 'throw';
  /** Told after each recovery from a device loss. */
  readonly onRecovered?: (event: RecoveryEvent) => void;
  /** Check every `run()` for non-finite outputs and states (true: with the defaults). */
  readonly numericGuard?: boolean | NumericGuardOptions;
}

export interface RecoveryEvent {
  /** Why the old device was lost. */
  readonly reason: string;
  /** The device the executable now runs on. */
  readonly device: DawnDevice;
  /** The run count whose states were restored (0: the plan's initial values). */
  readonly restoredRun: number;
  /** Runs whose effect on the states was lost with the device (those after the snapshot). */
  readonly lostRuns: number;
}
