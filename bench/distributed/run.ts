import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLauncher, jobCommand, onPath, thisMachine } from '../../bin/launch/job_command.js';
import { mpiAddonPath } from '../../runtime/distributed/mpi_addon.js';
import { launchInProcess, valuesOrThrow } from '../../runtime/distributed/launch_in_process.js';
import type { AllReduceFigure } from './allreduce_timing.js';
import { measureParquetRead } from './parquet_read.js';

/**
 * The distributed rows of `npm run bench` (also `npm run bench:distributed`): all-reduce
 * throughput for 1, 4, 16 and 64 MiB buckets on 2 and 3 ranks, dawnflow's rank-order all-reduce
 * over MPI (a process per rank) next to Open MPI's own MPI_Allreduce and to the in-process
 * communicator (a worker thread per rank, shared memory); Parquet read throughput against the
 * .npy stream. algbw = bucket bytes / time; busbw = algbw * 2 (n - 1) / n, the bytes each rank's link
 * carries (nccl-tests' convention), comparable across rank counts.
 */

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

export interface DistributedRow {
  readonly what: string;
  readonly value: number | undefined;
  readonly unit: string;
  readonly note: string;
}

function runRanks(ranks: number, sizes: readonly number[], budgetMs: number): Promise<AllReduceFigure[]> {
  const command = [process.execPath, '--import', 'tsx', join(here, 'allreduce_rank.ts'), sizes.join(','), String(budgetMs)];
  const job = jobCommand({ ranks, command }, findLauncher('mpirun'), thisMachine());
  return new Promise((done, fail) => {
    const child = spawn(job.program, job.args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) fail(new Error(`mpirun -np ${ranks} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      else done(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AllReduceFigure));
    });
  });
}

function runInProcess(ranks: number, sizes: number[], budgetMs: number): Promise<AllReduceFigure[]> {
  const entry = { module: new URL(`./allreduce_timing.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href, name: 'allReduceInProcessRank' };
  return launchInProcess<AllReduceFigure[]>(entry, { sizes, budgetMs }, { size: ranks }).then((r) => valuesOrThrow(r)[0]);
}

async function allReduceRows(quick: boolean): Promise<DistributedRow[]> {
  const missing = !onPath('mpirun') ? 'mpirun not on PATH' : !mpiAddonPath() ? 'the MPI addon is not built (npm run setup:mpi)' : undefined;
  const rows: DistributedRow[] = missing ? [{ what: 'all-reduce over MPI', value: undefined, unit: 'GB/s', note: `skipped: ${missing}` }] : [];
  const sizes = quick ? [1, 4] : [1, 4, 16, 64];
  const budgetMs = quick ? 300 : 1500;
  for (const ranks of quick ? [2] : [2, 3]) {
    const figures = [...(missing ? [] : await runRanks(ranks, sizes, budgetMs)), ...(await runInProcess(ranks, sizes, budgetMs))];
    // Side by side: per bucket size, every implementation.
    for (const mib of sizes) {
      for (const f of figures.filter((g) => g.mib === mib)) {
        const algbw = (f.mib * 2 ** 20) / (f.medianMs / 1000) / 1e9;
        rows.push({
          what: `all-reduce ${f.mib} MiB, ${f.ranks} ranks, ${f.impl === 'in-process' ? 'in-process' : `MPI ${f.impl}`}`,
          value: algbw,
          unit: 'GB/s',
          note: `busbw ${(algbw * (2 * (f.ranks - 1)) / f.ranks).toFixed(2)} GB/s; median ${f.medianMs.toFixed(2)} ms of ${f.runs}`,
        });
      }
    }
  }
  return rows;
}

async function parquetRows(cacheDir: string, quick: boolean): Promise<DistributedRow[]> {
  const rows = quick ? 4_000 : 30_000;
  const dir = join(cacheDir, 'parquet-bench');
  mkdirSync(dir, { recursive: true });
  return (await measureParquetRead(dir, rows)).flatMap((f) => [
    { what: `read ${f.reader}`, value: f.rows / f.seconds, unit: 'rows/s', note: `${f.rows} rows of 784 u8 pixels -> f32 batches of 128` },
    { what: `read ${f.reader}`, value: f.fileBytes / 1e6 / f.seconds, unit: 'MB/s', note: `files ${(f.fileBytes / 1e6).toFixed(1)} MB` },
  ]);
}

export async function runDistributedBench(options: { readonly quick: boolean; readonly cacheDir: string }): Promise<DistributedRow[]> {
  return [...(await allReduceRows(options.quick)), ...(await parquetRows(options.cacheDir, options.quick))];
}

export function formatDistributed(rows: readonly DistributedRow[]): string {
  const cells = rows.map((r) => [r.what, r.value === undefined ? '-' : r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2), r.unit, r.note]);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => `${c[0].padEnd(widths[0])}  ${c[1].padStart(widths[1])} ${c[2].padEnd(widths[2])}  ${c[3]}`).join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const json = process.argv.indexOf('--json');
  const rows = await runDistributedBench({ quick, cacheDir: join(repoRoot, 'bench/.cache') });
  process.stdout.write(`Distributed (issue 14)\n${formatDistributed(rows)}\nload average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} on ${availableParallelism()} cores\n`);
  if (json >= 0) writeFileSync(process.argv[json + 1], JSON.stringify(rows, null, 2));
}
