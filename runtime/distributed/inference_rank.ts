import { allocHost, type TensorData } from '../../ir/dtype.js';
import { UsageError } from '../../ir/errors.js';
import type { InferencePipelineProgram, StageTensor } from '../../ir/parallel_program.js';
import { INFERENCE_PIPELINE_FORMAT } from '../../ir/parallel_program.js';
import { numel } from '../../ir/shape.js';
import type { HostTensor } from '../../ir/tensor.js';
import { acquireDevice } from '../device.js';
import { Executable } from '../executable.js';
import type { Communicator } from './communicator.js';
import { launchInProcess, siblingModule, valuesOrThrow } from './launch_in_process.js';

/**
 * An inference pipeline: rank s runs stage s. Batches stream through: the first stage takes
 * the model's inputs, each stage sends what crosses its cut to the next as soon as it has it
 * and goes on with the next batch, the last stage keeps the model's outputs. With S stages and
 * many batches, S batches are in flight at once.
 */

export interface InferenceRankInput {
  readonly program: InferencePipelineProgram;
  /** The model's inputs of each batch (read by the first stage only). */
  readonly batches: readonly Readonly<Record<string, TensorData>>[];
}

export interface InferenceRankResult {
  readonly rank: number;
  /** The model's outputs per batch (last stage only). */
  readonly outputs?: Record<string, HostTensor>[];
  /** Wall time of the rank's stream, ms. */
  readonly ms: number;
}

export async function inferenceRank(comm: Communicator, input: InferenceRankInput): Promise<InferenceRankResult> {
  const { program, batches } = input;
  if (program.format !== INFERENCE_PIPELINE_FORMAT) throw new UsageError(`not an inference pipeline (format '${String(program.format)}')`);
  if (comm.size !== program.stages.length) throw new UsageError(`the inference pipeline has ${program.stages.length} stages; the job has ${comm.size} ranks`);
  const stage = program.stages[comm.rank];
  const first = comm.rank === 0;
  const last = comm.rank === comm.size - 1;
  const exe = await Executable.load(stage.plan, await acquireDevice());
  const started = performance.now();
  const outputs: Record<string, HostTensor>[] = [];
  const sends: Promise<void>[] = [];
  try {
    for (let k = 0; k < batches.length; k++) {
      let feeds: Record<string, TensorData>;
      if (first) feeds = { ...batches[k] };
      else {
        feeds = {};
        for (const t of stage.receives) {
          const buffer = alloc(t);
          await comm.recv(buffer, comm.rank - 1, k % 10_000);
          feeds[t.name] = buffer;
        }
      }
      const result = await exe.run(feeds, { outputs: stage.sends.map((t) => t.name) });
      if (last) outputs.push(result);
      else for (const t of stage.sends) sends.push(comm.send(result[t.name].data, comm.rank + 1, k % 10_000));
    }
    await Promise.all(sends);
  } finally {
    exe.dispose();
  }
  return { rank: comm.rank, ...(last ? { outputs } : {}), ms: performance.now() - started };
}

function alloc(t: StageTensor): TensorData {
  return allocHost(t.dtype, numel(t.shape));
}

/** Streams `batches` through the stages, one worker thread and one device each; the outputs per batch. */
export async function runInferencePipeline(program: InferencePipelineProgram, batches: readonly Readonly<Record<string, TensorData>>[]): Promise<Record<string, HostTensor>[]> {
  const entry = { module: siblingModule('inference_rank'), name: 'inferenceRank' };
  const results = valuesOrThrow(await launchInProcess<InferenceRankResult>(entry, { program, batches }, { size: program.stages.length }));
  return results[results.length - 1].outputs!;
}
