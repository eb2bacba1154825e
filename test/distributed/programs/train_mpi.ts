/**
 * One rank of a parallel training job under mpirun: the same per-rank entry (`trainRank`) the
 * in-process launcher runs in worker threads, here with the MPI communicator. Every rank
 * compiles the same program from the same seed; rank 0 writes the final states as JSON (the
 * f32 bits of each state).
 *
 *   train_mpi.ts <data|pipeline> <out.json> [--model mlp|mnist] [--checkpoint <file> --every K] [--kill <rank>:<steps>]
 *   train_mpi.ts data <out.json> --parquet <dir of shards> [--checkpoint ...] [--kill ...]
 *
 * With --parquet, each rank reads its own row groups of the shards (ParquetDataset: rank-assigned
 * groups, the order a function of seed, epoch and rank, groups decoded in a worker thread) and
 * trains the Parquet job of training_jobs.ts through `loadRank` + `fitRank`, as
 * examples/distributed_rank.ts does; rank 0 also prints the examples each rank reads per epoch.
 *
 * With --checkpoint, rank 0 writes an atomic checkpoint every K steps and a (re)started job
 * resumes from it. With --kill, on the launcher's first attempt rank <rank> SIGKILLs itself once
 * <steps> steps are done (the fault test under `dawnflow launch --max-restarts 1`).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MpiCommunicator } from '../../../runtime/distributed/mpi_communicator.js';
import type { Communicator } from '../../../runtime/distributed/communicator.js';
import { fitRank, type RankFitOptions, type RankFitResult } from '../../../runtime/distributed/rank_fit.js';
import { launchAttempt, resumePoint } from '../../../runtime/distributed/restart.js';
import { loadRank, trainRank } from '../../../runtime/distributed/train_rank.js';
import { ParquetDataset } from '../../../runtime/data/index.js';
import { MPI_TRAINING, PARQUET_SCHEMA, PARQUET_TRAINING, parquetProgram, trainingJob } from './training_jobs.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string', default: 'mlp' }, parquet: { type: 'string' }, checkpoint: { type: 'string' }, every: { type: 'string', default: '4' }, kill: { type: 'string' } },
});
const [strategy, out] = positionals;
const comm = await MpiCommunicator.create();
const { restart } = launchAttempt();
const resume = values.checkpoint ? await resumePoint(values.checkpoint) : undefined;
const [killRank, killAfter] = (values.kill ?? '-1:-1').split(':').map(Number);
if (comm.rank === 0) console.log(`train_mpi: restart ${restart}, starting at step ${resume?.startStep ?? 0}`);

const options: Omit<RankFitOptions, 'epochs'> = {
  ...(resume ?? {}),
  ...(values.checkpoint ? { checkpoint: { path: values.checkpoint, every: Number(values.every) } } : {}),
  afterStep: (steps) => {
    if (restart === 0 && comm.rank === killRank && steps === killAfter) process.kill(process.pid, 'SIGKILL');
  },
};

/** The Parquet job: this rank's row groups of the shards in `dir`. */
async function trainOnShards(comm: Communicator, dir: string): Promise<RankFitResult> {
  const data = await ParquetDataset.open(dir, { rank: comm.rank, size: comm.size, schema: PARQUET_SCHEMA });
  if (comm.rank === 0) console.log(`train_mpi: parquet, ${data.examplesPerEpoch} examples per rank per epoch`);
  const engine = await loadRank(comm, parquetProgram(comm.size));
  try {
    return await fitRank(engine, data, { ...PARQUET_TRAINING, ...options });
  } finally {
    await engine.close();
    await data.close();
  }
}

function trainOnArrays(comm: Communicator): Promise<RankFitResult> {
  const job = trainingJob(values.model === 'mnist' ? 'mnist' : 'mlp', strategy === 'pipeline' ? 'pipeline' : 'data', comm.size);
  return trainRank(comm, { program: job.program, train: job.train, options: { ...MPI_TRAINING, ...options } });
}

const result = values.parquet ? await trainOnShards(comm, values.parquet) : await trainOnArrays(comm);
if (comm.rank === 0) {
  writeFileSync(out, JSON.stringify(Object.fromEntries(Object.entries(result.states!).map(([name, t]) => [name, [...new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4)]]))));
  console.log(`train_mpi: done, ${result.steps} steps, ranks ${comm.size}, restart ${restart}`);
}
await comm.close();
