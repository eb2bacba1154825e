/**
 * Multi-process training over MPI, end to end, on one host (npm run example:distributed):
 *
 * 1. writes the MNIST training digits as Parquet shards (hyparquet-writer; pixels as bytes,
 *    several row groups per file, as Spark would write them);
 * 2. trains the MNIST MLP data-parallel on 3 ranks under `dawnflow launch --max-restarts 1`
 *    (examples/distributed_rank.ts on every rank, each reading its own row groups), with one
 *    injected failure: a rank SIGKILLs itself mid-training, MPI stops the job, the launcher
 *    restarts every rank and they resume from rank 0's last atomic checkpoint;
 * 3. runs the same job again without the failure and compares the two final checkpoints.
 *
 * It ends with one line:
 *
 *   distributed: ranks N, restarts R, test accuracy X%, bit-identical to uninterrupted run: yes|no
 *
 *   npm run example:distributed
 *   npm run example:distributed -- --ranks 2 --kill-after 25
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parquetWriteFile } from 'hyparquet-writer';
import { readCheckpoint } from '../runtime/index.js';
import { loadDigits, splitDigits } from './mnist_data.js';
import { PIXELS } from './mnist_models.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { ranks: { type: 'string', default: '3' }, 'kill-after': { type: 'string', default: '45' }, keep: { type: 'boolean', default: false } } });
const ranks = Number(values.ranks);
const killAfter = Number(values['kill-after']);

/** 4 files × 4 row groups of 500 digits: 16 groups to deal to the ranks. */
const FILES = 4;
const ROW_GROUP = 500;

function writeShards(dir: string): number {
  const { train } = splitDigits(loadDigits(0), 0);
  const x = train.x as Float32Array;
  const y = train.y as Int32Array;
  const perFile = Math.ceil(train.size / FILES);
  for (let f = 0; f < FILES; f++) {
    const first = f * perFile;
    const last = Math.min(train.size, first + perFile);
    const rows = Array.from({ length: last - first }, (_, i) => first + i);
    parquetWriteFile({
      filename: join(dir, `part-${String(f).padStart(5, '0')}.parquet`),
      codec: 'SNAPPY',
      rowGroupSize: ROW_GROUP,
      columnData: [
        { name: 'image', data: rows.map((r) => Uint8Array.from(x.subarray(r * PIXELS, (r + 1) * PIXELS), (v) => Math.round(v * 255))) },
        { name: 'label', data: Int32Array.from(rows, (r) => y[r]) },
      ],
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'image', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
        { name: 'label', type: 'INT32', repetition_type: 'REQUIRED' },
      ],
    });
  }
  return train.size;
}

interface RankResult {
  readonly restart: number;
  readonly steps: number;
  readonly testAccuracy: number;
  readonly checkpoint: string;
}

/** `dawnflow launch` as a user runs it; its lines (and the ranks' output) go to this terminal. */
function launch(data: string, work: string, kill?: string): Promise<RankResult> {
  mkdirSync(work, { recursive: true });
  const out = join(work, 'result.json');
  const rank = [process.execPath, '--import', 'tsx', join(root, 'examples/distributed_rank.ts'), '--data', data, '--checkpoints', work, '--out', out, ...(kill ? ['--kill', kill] : [])];
  const args = ['--import', 'tsx', join(root, 'bin/dawnflow.ts'), 'launch', '-n', String(ranks), '--max-restarts', '1', '--', ...rank];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(JSON.parse(readFileSync(out, 'utf8')) as RankResult) : fail(new Error(`dawnflow launch exited with code ${code}`))));
  });
}

async function sameStates(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readCheckpoint(a), readCheckpoint(b)]);
  if (x.states.size !== y.states.size) return false;
  for (const [name, t] of x.states) {
    const u = y.states.get(name);
    if (!u) return false;
    const p = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const q = new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength);
    if (p.length !== q.length || p.some((v, i) => v !== q[i])) return false;
  }
  return true;
}

const scratch = mkdtempSync(join(tmpdir(), 'dawnflow-distributed-'));
try {
  const data = join(scratch, 'mnist-parquet');
  mkdirSync(data);
  const digits = writeShards(data);
  console.log(`wrote ${digits} training digits as ${FILES} Parquet files of ${ROW_GROUP}-row groups in ${data}`);
  console.log(`training on ${ranks} ranks; rank ${ranks - 1} is killed after step ${killAfter}`);
  const faulty = await launch(data, join(scratch, 'with-failure'), `${ranks - 1}:${killAfter}`);
  console.log(`training again on ${ranks} ranks without a failure`);
  const clean = await launch(data, join(scratch, 'uninterrupted'));
  const identical = await sameStates(faulty.checkpoint, clean.checkpoint);
  console.log(`distributed: ranks ${ranks}, restarts ${faulty.restart}, test accuracy ${(100 * faulty.testAccuracy).toFixed(2)}%, bit-identical to uninterrupted run: ${identical ? 'yes' : 'no'}`);
} finally {
  if (!values.keep) rmSync(scratch, { recursive: true, force: true });
}
