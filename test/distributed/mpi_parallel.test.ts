import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hostTensor, type HostTensor } from '../../ir/tensor.js';
import { fitInProcess } from '../../runtime/distributed/fit_in_process.js';
import { bits, GLOBAL_BATCH, PARAMETERS, relativeDifference, singleDeviceStates } from './fixtures.js';
import { dawnflow, describeMpi, mpirun, tsNode } from './mpi/mpi_test_env.js';
import { MNIST_STEPS, MPI_TRAINING, PARQUET_RANKS, PARQUET_STEPS, PARQUET_TRAINING, trainingJob, writeParquetShards, type JobModel, type JobStrategy } from './programs/training_jobs.js';

/**
 * The per-rank code knows nothing of its communicator: the same `trainRank` under mpirun (one
 * process per rank, MpiCommunicator) against the in-process run (one worker thread per rank)
 * and single-device training. Both communicators sum a bucket in rank order in f64 and round
 * once, so data-parallel runs agree bit for bit (the issue asks 1e-6 relative; both are checked).
 */
const TIMEOUT = 600_000;
/** One mpirun job (lavapipe on 2 shared cores: 3 ranks of the MNIST MLP took up to ~110 s under load). */
const JOB_TIMEOUT = 300_000;

type StateBits = Record<string, number[]>;

const scratch = () => mkdtempSync(join(tmpdir(), 'dawnflow-mpi-train-'));
const readBits = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as StateBits;
/** The bits as a tensor of `like`'s dtype (f32 parameters, the i32/u32 step counter). */
function asTensor(b: readonly number[], like?: HostTensor): HostTensor {
  const buffer = Uint32Array.from(b).buffer;
  return like ? hostTensor(like.dtype, like.shape, new (like.data.constructor as new (b: ArrayBuffer) => HostTensor['data'])(buffer)) : hostTensor('f32', [b.length], new Float32Array(buffer));
}

/** One uninterrupted run of programs/train_mpi.ts under mpirun: rank 0's final states. */
async function mpiStates(ranks: number, strategy: JobStrategy, ...options: string[]): Promise<StateBits> {
  const out = join(scratch(), 'states.json');
  const job = await mpirun(ranks, tsNode('test/distributed/programs/train_mpi.ts', strategy, out, ...options), process.env, JOB_TIMEOUT);
  expect(job.code, job.stderr.slice(-2000)).toBe(0);
  return readBits(out);
}

const overMpi = (model: JobModel, strategy: JobStrategy, ranks: number) => mpiStates(ranks, strategy, '--model', model);

/** Largest relative difference (max|a − b| / max|b|) over every state. */
function worstDifference(a: StateBits, b: Record<string, HostTensor>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  return Math.max(...Object.entries(b).map(([name, t]) => relativeDifference(asTensor(a[name], t), t)));
}

const sameBits = (a: StateBits, b: Record<string, HostTensor>) =>
  Object.entries(b).every(([name, t]) => {
    const expected = bits(t);
    return a[name].length === expected.length && a[name].every((v, i) => v === expected[i]);
  });

describeMpi('parallel training over MPI', () => {
  const mnist3: StateBits[] = [];

  for (const ranks of [2, 3]) {
    it(`data-parallel MNIST on ${ranks} MPI ranks equals the in-process data-parallel run${ranks === 3 ? ', and a second MPI run has the same bits' : ''}`, async () => {
      const job = trainingJob('mnist', 'data', ranks);
      const runs = [await overMpi('mnist', 'data', ranks)];
      if (ranks === 3) runs.push(await overMpi('mnist', 'data', ranks));
      const inProcess = await fitInProcess(job.program, job.train, MPI_TRAINING);
      const difference = worstDifference(runs[0], inProcess.states);
      console.log(`data-parallel MNIST, ${ranks} ranks: max relative difference MPI vs in-process ${difference.toExponential(2)}, bit-equal: ${sameBits(runs[0], inProcess.states)}`);
      expect(difference).toBeLessThanOrEqual(1e-6);
      expect(sameBits(runs[0], inProcess.states)).toBe(true);
      if (ranks === 3) {
        expect(runs[1]).toEqual(runs[0]);
        mnist3.push(runs[0]);
      }
    }, TIMEOUT);
  }

  for (const ranks of [2, 3]) {
    it(`a ${ranks}-stage pipeline on ${ranks} MPI ranks equals single-device training within 1e-5${ranks === 2 ? " (and has the in-process run's bits)" : ''}`, async () => {
      const job = trainingJob('mlp', 'pipeline', ranks);
      const states = await overMpi('mlp', 'pipeline', ranks);
      const single = await singleDeviceStates(job.spec, job.train.size / job.spec.batchSize, MPI_TRAINING.seed);
      for (const name of PARAMETERS) expect(relativeDifference(asTensor(states[name]), single[name]), name).toBeLessThanOrEqual(1e-5);
      if (ranks === 2) {
        const inProcess = await fitInProcess(job.program, job.train, MPI_TRAINING);
        for (const [name, t] of Object.entries(inProcess.states)) expect(states[name], name).toEqual(bits(t));
      }
    }, TIMEOUT);
  }

  it('a rank SIGKILLed mid-training under `dawnflow launch --max-restarts 1`: the job resumes from the last checkpoint and ends with the uninterrupted run\'s bits', async () => {
    const dir = scratch();
    const out = join(dir, 'states.json');
    // Checkpoints after steps 4 and 8; rank 1 dies after step 6 (its checkpoint of step 4 is the newest).
    const command = tsNode('test/distributed/programs/train_mpi.ts', 'data', out, '--model', 'mnist', '--checkpoint', join(dir, 'ckpt.safetensors'), '--every', '4', '--kill', '1:6');
    const job = await dawnflow(['launch', '-n', '3', '--max-restarts', '1', '--', ...command], process.env, JOB_TIMEOUT);
    expect(job.code, job.stderr.slice(-2000)).toBe(0);
    const launchLines = job.stderr.split('\n').filter((l) => l.startsWith('launch:') || l.startsWith('dawnflow:'));
    expect(launchLines).toEqual([expect.stringMatching(/^launch: rank 1 \(host \S+\) killed by signal 9 \(SIGKILL\); restart 1 of 1$/), 'launch: job finished after 1 restart']);
    expect(job.stdout).toContain('train_mpi: restart 1, starting at step 4');
    expect(job.stdout).toContain(`train_mpi: done, ${MNIST_STEPS} steps, ranks 3, restart 1`);
    const uninterrupted = mnist3[0] ?? (await overMpi('mnist', 'data', 3));
    expect(readBits(out)).toEqual(uninterrupted);
  }, TIMEOUT);

  it('the same fault on a job reading Parquet shards (rank-assigned row groups, shuffled per epoch, prefetched): killed mid-epoch, resumed inside the epoch, it ends with the uninterrupted run\'s bits', async () => {
    const dir = scratch();
    const shards = join(dir, 'shards');
    mkdirSync(shards);
    writeParquetShards(shards);
    const uninterrupted = await mpiStates(PARQUET_RANKS, 'data', '--parquet', shards);
    const out = join(dir, 'states.json');
    // 8 steps per epoch; checkpoints after steps 3, 6, 9, 12, 15; rank 1 dies after step 11, so
    // the job resumes at step 9: the second epoch's second local batch, halfway through a row group.
    const command = tsNode('test/distributed/programs/train_mpi.ts', 'data', out, '--parquet', shards, '--checkpoint', join(dir, 'ckpt.safetensors'), '--every', '3', '--kill', '1:11');
    const job = await dawnflow(['launch', '-n', String(PARQUET_RANKS), '--max-restarts', '1', '--', ...command], process.env, JOB_TIMEOUT);
    expect(job.code, job.stderr.slice(-2000)).toBe(0);
    const launchLines = job.stderr.split('\n').filter((l) => l.startsWith('launch:') || l.startsWith('dawnflow:'));
    expect(launchLines).toEqual([expect.stringMatching(/^launch: rank 1 \(host \S+\) killed by signal 9 \(SIGKILL\); restart 1 of 1$/), 'launch: job finished after 1 restart']);
    const perEpoch = Number(/train_mpi: parquet, (\d+) examples per rank per epoch/.exec(job.stdout)?.[1]) / (GLOBAL_BATCH / PARQUET_RANKS);
    expect(perEpoch * PARQUET_TRAINING.epochs).toBe(PARQUET_STEPS);
    expect(job.stdout).toContain('train_mpi: restart 1, starting at step 9');
    expect(9 % perEpoch, 'the resume point lies inside an epoch').not.toBe(0);
    expect(job.stdout).toContain(`train_mpi: done, ${PARQUET_STEPS} steps, ranks ${PARQUET_RANKS}, restart 1`);
    const resumed = readBits(out);
    // Equal bits prove nothing if both runs went to NaN.
    for (const name of Object.keys(uninterrupted).filter((n) => n.startsWith('layers.'))) expect(asTensor(uninterrupted[name]).data.every(Number.isFinite), name).toBe(true);
    expect(resumed).toEqual(uninterrupted);
  }, TIMEOUT);
});
