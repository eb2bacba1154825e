import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './cases.js';
import { FULL_CASES, QUICK_CASES } from './cases.js';
import { writeJsonReport } from './json_report.js';
import { prepareModelFiles } from './model_files.js';
import type { BenchOptions } from './options.js';
import { parseOptions, USAGE } from './options.js';
import type { PeerName } from './peers.js';
import { REFERENCE_PEER, RUN_ORDER, TIME_SHARE } from './peers.js';
import type { CaseResult, ChildRequest } from './protocol.js';
import { DONE_MARKER } from './protocol.js';
import { formatDistributed, runDistributedBench } from './distributed/run.js';
import { buildReport } from './report.js';
import { runParallelSection } from './parallel_section.js';
import { formatTable } from './table.js';
import { formatKernelTable } from './kernel_table.js';
import { formatTargets, judgeTargets } from './targets.js';
import { runColdBench } from './cold/run.js';
import { appendColdJson, formatColdTable, formatColdTargets, judgeColdTargets } from './cold/report.js';
import { COLD_PEERS } from './cold/protocol.js';

/**
 * `npm run bench`: dawnflow and its peers side by side on the same adapter. Each peer runs in
 * a process of its own (its own device, nothing shared), one after another so that they never
 * compete for the cores; the reference (onnxruntime-node CPU) runs first so that every other
 * peer's outputs can be checked against it. Then the table, the targets, and the JSON file.
 */

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');
/** After its deadline a peer still gets this long to finish the run in progress. */
const GRACE_MS = 120_000;
/** How long a peer's process may take to exit once it said it is done. */
const EXIT_GRACE_MS = 5_000;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function loadLine(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' / ');
}

function readResults(file: string): CaseResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CaseResult);
}

/** Runs one peer's process; progress lines go to the console, everything else to its log. */
function runPeer(request: ChildRequest, requestFile: string, logFile: string, timeoutMs: number): Promise<string | undefined> {
  writeFileSync(requestFile, JSON.stringify(request));
  const child = spawn(process.execPath, [...process.execArgv, join(here, 'child.ts'), requestFile], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logStream = createWriteStream(logFile);
  const doneLine = `[${request.peer}] ${DONE_MARKER}`;
  let finished = false;
  let timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      logStream.write(`${line}\n`);
      if (line === doneLine) {
        finished = true;
        clearTimeout(timer);
        timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
      } else if (line.startsWith(`[${request.peer}]`)) {
        log(line);
      }
    });
  }
  return new Promise((done) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      logStream.end();
      if (finished) done(undefined);
      else if (signal) done(`its process was stopped (${signal}) ${Math.round(timeoutMs / 1000)} s in, past the time budget`);
      else if (code !== 0) done(`its process exited with code ${code} (see ${logFile})`);
      else done(undefined);
    });
  });
}

async function distributedSection(options: BenchOptions): Promise<void> {
  try {
    const rows = await runDistributedBench({ quick: options.quick, cacheDir: options.cacheDir });
    process.stdout.write(`\nDistributed (issue 14):\n${formatDistributed(rows)}\n`);
    if (options.json) writeFileSync(options.json.replace(/(\.json)?$/, '.distributed.json'), JSON.stringify(rows, null, 2));
  } catch (error) {
    log(`distributed rows failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The cold-start rows' own budget: a cold resnet50 takes minutes per peer on two loaded cores. */
const COLD_MINUTES = { quick: 10, full: 60 };

async function main(options: BenchOptions): Promise<void> {
  const start = Date.now();
  const cases: BenchCase[] = (options.quick ? QUICK_CASES : FULL_CASES).filter((c) => options.only.includes(c.bench));
  // The parallel bench (several devices, docs/parallel.md) prints a section of its own after the rest.
  const parallel = options.only.includes('parallel');
  const distributed = options.only.includes('distributed');
  if (cases.length === 0 && !options.cold && !parallel && !distributed) throw new Error('no case selected');
  const runDir = join(options.cacheDir, 'runs', new Date(start).toISOString().replace(/[:.]/g, '-'));
  mkdirSync(runDir, { recursive: true });
  if (cases.length > 0) await warmBench(options, cases, runDir, start);
  if (options.cold) await coldBench(options, runDir, cases.length > 0);
  // Issue 14's rows (all-reduce over MPI and in process, Parquet reads): in a full run, or with --only distributed.
  if (distributed) await distributedSection(options);
  const minutes = ((Date.now() - start) / 60_000).toFixed(1);
  process.stdout.write(`\n${minutes} min; load average (1/5/15 min) at the end: ${loadLine()} on ${availableParallelism()} cores; logs in ${runDir}\n`);
  if (parallel) await runParallelSection(options);
}

/** The cold-start rows: the inference models of the selected size, each peer in a fresh process. */
async function coldBench(options: BenchOptions, runDir: string, afterWarmRows: boolean): Promise<void> {
  const cases = (options.quick ? QUICK_CASES : FULL_CASES).filter((c) => c.bench === 'inference');
  const peers = COLD_PEERS.filter((p) => p === REFERENCE_PEER || options.peers.includes(p));
  log(`dawnflow bench, cold start: ${cases.map((c) => c.case).join(', ')} × ${peers.join(', ')}; load average ${loadLine()}`);
  const missing = prepareModelFiles(cases, options.cacheDir, options.modelsDir);
  const rows = await runColdBench({
    cases: cases.filter((c) => !missing.has(c)),
    peers,
    cacheDir: options.cacheDir,
    runDir,
    deadline: Date.now() + (options.quick ? COLD_MINUTES.quick : COLD_MINUTES.full) * 60_000,
    warmRuns: 3,
    log,
  });
  for (const [c, reason] of missing) log(`cold-start ${c.case}: ${reason}`);
  process.stdout.write(`\nCold start (seconds to the first result):\n${formatColdTable(rows)}\n`);
  if (!options.quick) process.stdout.write(`\nTargets (issue 16, cold start):\n${formatColdTargets(judgeColdTargets(rows))}\n`);
  if (options.json) {
    appendColdJson(options.json, rows, afterWarmRows);
    process.stdout.write(`${afterWarmRows ? 'added the cold-start rows to' : 'wrote'} ${options.json}\n`);
  }
}

async function warmBench(options: BenchOptions, cases: BenchCase[], runDir: string, start: number): Promise<void> {
  const end = start + options.minutes * 60_000;
  const checked = cases.some((c) => c.bench !== 'device-peak');
  const peers = RUN_ORDER.filter((p) => options.peers.includes(p) || (p === REFERENCE_PEER && checked));

  log(`dawnflow bench${options.quick ? ' (quick)' : ''}: ${cases.length} cases × ${peers.join(', ')}; budget ${options.minutes} min; load average ${loadLine()}`);
  const missing = prepareModelFiles(cases, options.cacheDir, options.modelsDir);
  const runnable = cases.filter((c) => !missing.has(c));

  const results: CaseResult[] = [];
  for (const [c, reason] of missing) {
    for (const peer of peers) results.push({ bench: c.bench, case: c.case, peer, unit: c.unit, status: 'failed', reason });
    log(`${c.bench} ${c.case}: ${reason}`);
  }
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i];
    const now = Date.now();
    const weights = peers.slice(i).map((p) => TIME_SHARE[p]);
    const share = Math.max(0, end - now) * (TIME_SHARE[peer] / weights.reduce((a, b) => a + b, 0));
    const request: ChildRequest = {
      peer,
      cases: runnable,
      cacheDir: options.cacheDir,
      deadline: now + share,
      skipLate: !options.quick,
      caseBudgetMs: options.quick ? 500 : 4_000,
      minRuns: 3,
      maxRuns: options.quick ? 5 : 30,
      resultsFile: join(runDir, `${peer}.jsonl`),
    };
    const failure = await runPeer(request, join(runDir, `${peer}.request.json`), join(runDir, `${peer}.log`), share + GRACE_MS);
    const got = readResults(request.resultsFile);
    results.push(...got);
    if (failure) {
      for (const c of runnable) {
        if (got.some((r) => r.bench === c.bench && r.case === c.case)) continue;
        results.push({ bench: c.bench, case: c.case, peer, unit: c.unit, status: 'failed', reason: failure });
      }
      log(`[${peer}] ${failure}`);
    }
  }

  const shown: PeerName[] = peers.filter((p) => options.peers.includes(p));
  const rows = buildReport(cases, results, shown);
  process.stdout.write(`\n${formatTable(rows)}\n`);
  const kernels = formatKernelTable(rows);
  if (kernels) process.stdout.write(`\n${kernels}\n`);
  if (!options.quick) process.stdout.write(`\nTargets (issue 16):\n${formatTargets(judgeTargets(rows))}\n`);
  if (options.json) {
    writeJsonReport(options.json, rows);
    process.stdout.write(`wrote ${options.json}\n`);
  }
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2), repoRoot);
} catch (error) {
  log(String(error instanceof Error ? error.message : error));
  process.exit(2);
}
main(options).catch((error: unknown) => {
  log(String(error instanceof Error ? error.stack : error));
  process.exit(1);
});
