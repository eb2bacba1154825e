/**
 * One rank of a parallel training job under mpirun: the same per-rank entry (`trainRank`) the
 * in-process launcher runs in worker threads, here with the MPI communicator. Every rank
 * compiles the same program from the same seed; rank 0 writes the final states as JSON (the
 * f32 bits of each state).
 *
 *   train_mpi.ts <data|pipeline> <out.json> [--model mlp|mnist] [--checkpoint <file> --every K] [--kill <rank>:<steps>]
 *
 * With --checkpoint, rank 0 writes an atomic checkpoint every K steps and a (re)started job
 * resumes from it. With --kill, on the launcher's first attempt rank <rank> SIGKILLs itself once
 * <steps> steps are done (the fault test under `dawnflow launch --max-restarts 1`).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MpiCommunicator } from '../../../runtime/distributed/mpi_communicator.js';
import { launchAttempt, resumePoint } from '../../../runtime/distributed/restart.js';
import { trainRank } from '../../../runtime/distributed/train_rank.js';
import { MPI_TRAINING, trainingJob } from './training_jobs.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string', default: 'mlp' }, checkpoint: { type: 'string' }, every: { type: 'string', default: '4' }, kill: { type: 'string' } },
});
const [strategy, out] = positionals;
const comm = await MpiCommunicator.create();
const job = trainingJob(values.model === 'mnist' ? 'mnist' : 'mlp', strategy === 'pipeline' ? 'pipeline' : 'data', comm.size);
const { restart } = launchAttempt();
const resume = values.checkpoint ? await resumePoint(values.checkpoint) : undefined;
const [killRank, killAfter] = (values.kill ?? '-1:-1').split(':').map(Number);
if (comm.rank === 0) console.log(`train_mpi: restart ${restart}, starting at step ${resume?.startStep ?? 0}`);

const result = await trainRank(comm, {
  program: job.program,
  train: job.train,
  options: {
    ...MPI_TRAINING,
    ...(resume ?? {}),
    ...(values.checkpoint ? { checkpoint: { path: values.checkpoint, every: Number(values.every) } } : {}),
    afterStep: (steps) => {
      if (restart === 0 && comm.rank === killRank && steps === killAfter) process.kill(process.pid, 'SIGKILL');
    },
  },
});
if (comm.rank === 0) {
  writeFileSync(out, JSON.stringify(Object.fromEntries(Object.entries(result.states!).map(([name, t]) => [name, [...new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4)]]))));
  console.log(`train_mpi: done, ${result.steps} steps, ranks ${comm.size}, restart ${restart}`);
}
await comm.close();
