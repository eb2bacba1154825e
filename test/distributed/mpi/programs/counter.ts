/**
 * A stand-in for a training program under `dawnflow launch` (test/distributed/mpi/launch.test.ts):
 * each step all-reduces a contribution that is a pure function of (seed, step, rank) and folds it
 * into a state, state = state / 2 + sum, so the end result depends on every step in order. Rank 0
 * checkpoints the state atomically after every step; a restarted run resumes from the newest
 * checkpoint. On the first attempt, the last rank fails at step <failAt>: 'kill' SIGKILLs itself,
 * 'throw' throws (the process exits 1 and aborts the MPI job), 'abort' ends the job with
 * MpiCommunicator.abort(3).
 *
 *   counter.ts <dir> <steps> <failAt|-1> <kill|throw|abort>
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostTensor } from '../../../../ir/tensor.js';
import { readCheckpoint, writeCheckpoint } from '../../../../runtime/checkpoint/index.js';
import { MpiCommunicator } from '../../../../runtime/distributed/mpi_communicator.js';
import { launchAttempt } from '../../../../runtime/distributed/restart.js';
import { rankData } from './rank_data.js';

export const COUNTER_LENGTH = 4099;
export const COUNTER_SEED = 5;

const [dir, stepsText, failAtText, mode] = process.argv.slice(2);
const steps = Number(stepsText);
const failAt = Number(failAtText);
const comm = await MpiCommunicator.create();
const { restart } = launchAttempt();
const checkpoint = join(dir, 'counter.safetensors');

let state = new Float32Array(COUNTER_LENGTH);
let first = 0;
if (existsSync(checkpoint)) {
  const { info, states } = await readCheckpoint(checkpoint);
  state = Float32Array.from(states.get('state')!.data);
  first = info.step;
}
if (comm.rank === 0) console.log(`counter: rank 0, restart ${restart}, starting at step ${first}`);

for (let step = first; step < steps; step++) {
  const sum = rankData(COUNTER_SEED * 1000 + step, comm.rank, COUNTER_LENGTH);
  await comm.allReduce(sum, 'sum');
  for (let i = 0; i < state.length; i++) state[i] = state[i] / 2 + sum[i];
  if (restart === 0 && step === failAt && comm.rank === comm.size - 1) {
    if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
    else if (mode === 'abort') comm.abort(3);
    else throw new Error(`rank ${comm.rank} fails at step ${step} as asked`);
  }
  if (comm.rank === 0) await writeCheckpoint(checkpoint, { state: hostTensor('f32', [COUNTER_LENGTH], state) }, { plan: 'counter', step: step + 1, prngState: null, extra: {} });
  // Nobody runs ahead of the checkpoint that would resume it.
  await comm.barrier();
}
if (comm.rank === 0) {
  writeFileSync(join(dir, 'final.bin'), state);
  console.log(`counter: done, ${steps} steps, ranks ${comm.size}, restart ${restart}`);
}
await comm.close();
