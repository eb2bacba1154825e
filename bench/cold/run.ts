import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from '../cases.js';
import { caseId } from '../cases.js';
import { caseInputs } from '../case_inputs.js';
import { compareOutputs } from '../check.js';
import { modelPath } from '../model_files.js';
import { readOutputs, writeOutputs } from '../outputs_store.js';
import type { ColdPeer, ColdReport, ColdRequest } from './protocol.js';
import { COLD_REPORT_PREFIX } from './protocol.js';

/**
 * `npm run bench -- --cold`: time to first result from a cold start. Each (model, peer) runs in
 * a fresh process with Mesa's shader cache disabled (`MESA_SHADER_CACHE_DISABLE=true`, what a
 * fresh machine, a container or CI sees) for every peer alike, and with an empty dawnflow cache
 * directory (no tuning table, no cached plans). The reference (onnxruntime-node CPU) runs first
 * so that every other peer's first result is checked against it.
 */

const here = fileURLToPath(new URL('.', import.meta.url));

export interface ColdOptions {
  readonly cases: readonly BenchCase[];
  readonly peers: readonly ColdPeer[];
  readonly cacheDir: string;
  readonly runDir: string;
  /** Epoch ms after which no new process starts. */
  readonly deadline: number;
  readonly warmRuns: number;
  readonly log: (line: string) => void;
}

interface ColdRowBase {
  readonly bench: 'cold-start';
  readonly case: string;
  readonly peer: ColdPeer;
  readonly unit: 's';
}

export type ColdRow =
  | (ColdRowBase & {
      readonly status: 'ok';
      /** Seconds to the first result. */
      readonly value: number;
      readonly report: ColdReport;
      /** vs onnxruntime-node CPU's first result; undefined for the reference or without one. */
      readonly maxRelError?: number;
      readonly outputsMatch?: boolean;
    })
  | (ColdRowBase & { readonly status: 'failed' | 'skipped'; readonly reason: string });

/** A child's process may take this long at most (a cold resnet50 on a loaded two-core machine). */
const CHILD_TIMEOUT_MS = 30 * 60_000;

function runChild(launch: ChildLaunch, request: ColdRequest, requestFile: string, logFile: string, env: NodeJS.ProcessEnv): Promise<ColdReport | string> {
  writeFileSync(requestFile, JSON.stringify(request));
  const child = spawn(process.execPath, [...launch.args, requestFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const log = createWriteStream(logFile);
  let report: ColdReport | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      if (line.startsWith(COLD_REPORT_PREFIX)) report = JSON.parse(line.slice(COLD_REPORT_PREFIX.length)) as ColdReport;
    });
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      log.end();
      if (report) done(report);
      else done(signal ? `stopped (${signal}) after ${CHILD_TIMEOUT_MS / 60_000} min` : `exited with code ${code} (see ${logFile})`);
    });
  });
}

/** How the children run: plain Node on the built child, or tsx on the sources when a build failed. */
interface ChildLaunch {
  readonly args: readonly string[];
  readonly dawnflowBuild?: string;
}

/**
 * Every peer's child runs as plain Node, as an application does: the child script bundled by
 * esbuild (its own helpers only; packages stay external), dawnflow imported from the package's
 * build (tsc into dist/, as npm's `prepare` does), i.e. what a user of the package imports, plain
 * JavaScript like onnxruntime-node. If either build fails, every child runs the sources through
 * tsx (its transpile then counts in every peer's `import`), and the reason is logged.
 */
async function prepareChildren(runDir: string, log: (line: string) => void): Promise<ChildLaunch> {
  const fromSources: ChildLaunch = { args: [...process.execArgv, join(here, 'child.ts')] };
  const root = join(here, '..', '..');
  const started = performance.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) {
    log(`[cold] building dist/ failed, children run the sources through tsx: ${(built.stdout + built.stderr).split('\n')[0]}`);
    return fromSources;
  }
  const child = join(runDir, 'cold-child.mjs');
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [join(here, 'child.ts')], outfile: child, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  } catch (error) {
    log(`[cold] bundling the child failed, children run the sources through tsx: ${String(error).split('\n')[0]}`);
    return fromSources;
  }
  log(`[cold] children run as plain Node; dawnflow imported from dist/ (built in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return { args: [child], dawnflowBuild: join(root, 'dist') };
}

export async function runColdBench(options: ColdOptions): Promise<ColdRow[]> {
  const rows: ColdRow[] = [];
  mkdirSync(options.runDir, { recursive: true });
  const launch = await prepareChildren(options.runDir, options.log);
  const dawnflowBuild = launch.dawnflowBuild;
  const scratch = mkdtempSync(join(tmpdir(), 'dawnflow-cold-'));
  try {
    for (const c of options.cases) {
      const modelFile = modelPath(options.cacheDir, c);
      if (!modelFile) continue;
      const id = caseId(c);
      const inputsDir = join(options.cacheDir, 'cold', 'inputs', id);
      writeOutputs(inputsDir, caseInputs(c));
      let reference: string | undefined;
      for (const peer of options.peers) {
        const base = { bench: 'cold-start', case: c.case, peer, unit: 's' } as const;
        if (Date.now() > options.deadline) {
          rows.push({ ...base, status: 'skipped', reason: 'the time budget ran out before this case' });
          continue;
        }
        // A fresh, empty dawnflow cache per process: nothing carried over from an earlier run.
        const cache = mkdtempSync(join(scratch, `${peer}-`));
        const env = {
          ...process.env,
          MESA_SHADER_CACHE_DISABLE: 'true',
          DAWNFLOW_CACHE_DIR: cache,
          DAWNFLOW_TUNING_CACHE: join(cache, 'tuning.json'),
        };
        const outputsDir = join(options.cacheDir, 'cold', 'outputs', peer, id);
        rmSync(outputsDir, { recursive: true, force: true });
        const request: ColdRequest = { peer, modelFile, inputsDir, outputsDir, warmRuns: options.warmRuns, ...(dawnflowBuild ? { dawnflowBuild } : {}) };
        const got = await runChild(launch, request, join(options.runDir, `cold-${peer}-${id}.json`), join(options.runDir, `cold-${peer}-${id}.log`), env);
        if (typeof got === 'string') {
          rows.push({ ...base, status: 'failed', reason: got });
          options.log(`[cold ${peer}] ${c.case}: failed: ${got}`);
          continue;
        }
        let check: { maxRelError?: number; outputsMatch?: boolean } = {};
        if (peer === 'ort-node-cpu') reference = outputsDir;
        else if (reference) {
          const result = compareOutputs(readOutputs(outputsDir), readOutputs(reference));
          check = { maxRelError: result.maxRelError, outputsMatch: result.maxRelError <= c.tolerance };
        }
        rows.push({ ...base, status: 'ok', value: got.totalS, report: got, ...check });
        const p = got.phases;
        options.log(`[cold ${peer}] ${c.case}: ${got.totalS.toFixed(2)} s to the first result (import ${p.import.toFixed(2)}, compile ${p.compile.toFixed(2)}, pipelines ${p.pipelines.toFixed(2)}, first run ${p.firstRun.toFixed(2)}; warm run ${got.warmRunMs.toFixed(1)} ms)`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}
