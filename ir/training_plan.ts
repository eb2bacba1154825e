import type { DType } from './dtype.js';
import type { Plan } from './plan.js';
import type { StaticShape } from './shape.js';

/**
 * A compiled training program as plain data: the step plan (forward, loss, gradients and the
 * optimizer's in-place updates, one run per batch) and the evaluation plan (forward and
 * per-example loss/accuracy, no updates). Both name the model's parameters identically, which
 * is how evaluation reads the parameters training wrote. Like a Plan, it needs no compiler to
 * run: runtime/training executes it.
 */
export const TRAINING_FORMAT = 'dawnflow-training';

export interface TrainingTensorSpec {
  /** The plan input's name ('x', 'y'). */
  readonly name: string;
  readonly dtype: DType;
  /** Shape of one example (the batch axis comes first in the plans). */
  readonly exampleShape: StaticShape;
}

export interface TrainingProgram {
  readonly format: typeof TRAINING_FORMAT;
  readonly version: number;
  /** Inputs: input + target, batch `batchSize`. Outputs: 'loss' (mean), 'correct' (count) when
   * accuracy is measured, 'gradNorm', 'finite' (1 when every gradient was finite),
   * 'gradientFinite' (one flag per parameter, see gradientNames). */
  readonly train: Plan;
  /** Inputs: input + target, batch `evalBatchSize`. Outputs: 'prediction', 'loss' (per example),
   * 'correct' (per example) when accuracy is measured. */
  readonly eval: Plan;
  readonly batchSize: number;
  readonly evalBatchSize: number;
  /**
   * Present when both plans take the batch as this symbolic dim: they run at any batch size
   * (the Trainer still steps in batches of batchSize; evaluation runs short batches as they are).
   */
  readonly batchDim?: string;
  readonly input: TrainingTensorSpec;
  readonly target: TrainingTensorSpec;
  readonly accuracy: boolean;
  /** Trainable parameters, in model order. */
  readonly parameters: readonly string[];
  /** Non-trainable model states (BatchNorm running statistics). */
  readonly buffers: readonly string[];
  /** Optimizer moments. */
  readonly optimizerStates: readonly string[];
  /** The parameters whose gradients the step's 'gradientFinite' output flags, in its order. */
  readonly gradientNames: readonly string[];
  /** The u32 step counter state (also the random streams' counter). */
  readonly stepState: string;
}
