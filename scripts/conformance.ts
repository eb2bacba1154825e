import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ConformanceCase, Suite } from './conformance/cases.js';
import { listCases, SUITES, testdataAvailable, TESTDATA_ROOT } from './conformance/cases.js';
import { totalsOf, writeReports } from './conformance/report.js';
import type { CaseResult } from './conformance/run_case.js';

/**
 * `npm run conformance`: the ONNX backend tests on the Dawn device, in worker processes (each
 * case bounded in time: a worker that overruns is killed and replaced). Writes
 * docs/onnx-coverage.md and docs/onnx-coverage.json; the last line is "N passed, M failed, K skipped".
 * Options: USAGE below (`--help`).
 */

const USAGE = `usage: npm run conformance -- [--suite node,simple] [--filter <text>] [--jobs <n>] [--timeout <seconds>] [--no-report]

Runs the ONNX backend tests on the Dawn device and rewrites docs/onnx-coverage.{md,json}.
  --suite      suites to run (default: all four)
  --filter     only tests whose name contains the text
  --jobs       worker processes (default 1)
  --timeout    seconds per test (default 60)
  --no-report  do not rewrite docs/onnx-coverage.*`;
// node:util's parser in strict mode: a mistyped or incomplete option is an error, rather than
// ignored while the full suite (an hour) starts as if it were absent.
let values: { suite?: string; filter?: string; jobs?: string; timeout?: string; 'no-report'?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { suite: { type: 'string' }, filter: { type: 'string' }, jobs: { type: 'string' }, timeout: { type: 'string' }, 'no-report': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  console.error(`conformance: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function count(name: 'jobs' | 'timeout', fallback: number): number {
  const value = Number(values[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`conformance: --${name} must be a whole number >= 1, got '${values[name]}'`);
    process.exit(2);
  }
  return value;
}

const suites = (values.suite?.split(',') ?? [...SUITES]) as Suite[];
const filter = values.filter;
const jobs = count('jobs', 1);
const timeoutMs = 1000 * count('timeout', 60);
const report = !values['no-report'];
const workerPath = fileURLToPath(new URL('./conformance/worker.ts', import.meta.url));

if (!testdataAvailable()) {
  console.error(`conformance: no ONNX test data at ${TESTDATA_ROOT} (install libonnx-testdata or set ONNX_TESTDATA)`);
  process.exit(1);
}
const bad = suites.filter((s) => !(SUITES as readonly string[]).includes(s));
if (bad.length) {
  console.error(`conformance: unknown suite ${bad.join(', ')} (suites: ${SUITES.join(', ')})`);
  process.exit(2);
}

const cases = listCases(suites).filter((c) => !filter || c.name.includes(filter));
const results: CaseResult[] = [];
const queue = [...cases];
const tty = process.stdout.isTTY === true;
let adapter = 'an unknown adapter';

function progress(r: CaseResult): void {
  const t = totalsOf(results);
  const head = `[${results.length}/${cases.length}]`;
  if (tty) {
    const width = 30;
    const filled = Math.round((width * results.length) / cases.length);
    process.stdout.write(`\r${head} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${t.passed} passed, ${t.failed + t.unsupported} failed, ${t.skipped} skipped  ${r.name.slice(0, 40).padEnd(40)}`);
  } else {
    console.log(`${head} ${r.status.padEnd(11)} ${r.suite}/${r.name} (${r.ms} ms)${r.reason && r.status !== 'pass' ? `: ${r.reason}` : ''}`);
  }
}

/** One worker process serving cases until the queue is empty. */
function serve(): Promise<void> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    let current: ConformanceCase | undefined;
    let timer: NodeJS.Timeout | undefined;
    let started = 0;
    const finish = (r: CaseResult) => {
      clearTimeout(timer);
      current = undefined;
      results.push(r);
      progress(r);
    };
    const next = () => {
      current = queue.shift();
      if (!current) {
        child.disconnect();
        resolve();
        return;
      }
      started = performance.now();
      const c = current;
      timer = setTimeout(() => {
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        finish({ suite: c.suite, name: c.name, status: 'fail', reason: `timed out after ${timeoutMs / 1000} s`, ops: [], ms: timeoutMs });
        spawn();
      }, timeoutMs);
      child.send({ case: c });
    };
    const spawn = () => {
      child = fork(workerPath, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      child.stderr?.resume();
      child.on('message', (m: { ready?: boolean; adapter?: string; result?: CaseResult }) => {
        if (m.ready) {
          adapter = m.adapter ?? adapter;
          next();
        } else if (m.result) {
          finish(m.result);
          next();
        }
      });
      child.on('exit', (code, signal) => {
        if (!current) return;
        const c = current;
        finish({ suite: c.suite, name: c.name, status: 'fail', reason: `the worker process died (${signal ?? `exit ${code}`})`, ops: [], ms: Math.round(performance.now() - started) });
        spawn();
      });
    };
    spawn();
  });
}

await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, serve));
if (tty) process.stdout.write('\n');
results.sort((a, b) => a.suite.localeCompare(b.suite) || a.name.localeCompare(b.name));
if (report) {
  const command = `npm run conformance${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  writeReports(results, 'docs/onnx-coverage.md', 'docs/onnx-coverage.json', { adapter, command });
  console.log('wrote docs/onnx-coverage.md and docs/onnx-coverage.json');
}
const t = totalsOf(results);
for (const suite of suites) {
  const s = totalsOf(results.filter((r) => r.suite === suite));
  const inScope = s.total - s.skipped;
  console.log(`${suite}: ${s.passed}/${inScope} in scope passed (${s.unsupported} unsupported, ${s.failed} wrong or erroring), ${s.skipped} skipped`);
}
console.log(`${t.passed} passed, ${t.failed + t.unsupported} failed, ${t.skipped} skipped`);
