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
import { formatTargets, judgeTargets } from './targets.js';

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

async function main(options: BenchOptions): Promise<void> {
  const start = Date.now();
  const end = start + options.minutes * 60_000;
  const cases: BenchCase[] = (options.quick ? QUICK_CASES : FULL_CASES).filter((c) => options.only.includes(c.bench));
  // The parallel bench (several devices, docs/parallel.md) prints a section of its own after the table.
  const parallel = options.only.includes('parallel');
  const distributed = options.only.includes('distributed');
  if (cases.length === 0 && (parallel || distributed)) {
    if (distributed) await distributedSection(options);
    if (parallel) await runParallelSection(options);
    return;
  }
  const checked = cases.some((c) => c.bench !== 'device-peak');
  const peers = RUN_ORDER.filter((p) => options.peers.includes(p) || (p === REFERENCE_PEER && checked));

  log(`dawnflow bench${options.quick ? ' (quick)' : ''}: ${cases.length} cases × ${peers.join(', ')}; budget ${options.minutes} min; load average ${loadLine()}`);
  const missing = prepareModelFiles(cases, options.cacheDir, options.modelsDir);
  const runnable = cases.filter((c) => !missing.has(c));
  const runDir = join(options.cacheDir, 'runs', new Date(start).toISOString().replace(/[:.]/g, '-'));
  mkdirSync(runDir, { recursive: true });

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
  const minutes = ((Date.now() - start) / 60_000).toFixed(1);
  process.stdout.write(`\n${formatTable(rows)}\n`);
  if (!options.quick) process.stdout.write(`\nTargets (issue 6):\n${formatTargets(judgeTargets(rows))}\n`);
  // Issue 14's rows (all-reduce over MPI and in process, Parquet reads): in a full run, or with --only distributed.
  if (distributed) await distributedSection(options);
  process.stdout.write(`\n${minutes} min; load average (1/5/15 min) at the end: ${loadLine()} on ${availableParallelism()} cores; logs in ${runDir}\n`);
  if (options.json) {
    writeJsonReport(options.json, rows);
    process.stdout.write(`wrote ${options.json}\n`);
  }
  if (parallel) await runParallelSection(options);
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
