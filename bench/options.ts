import { resolve } from 'node:path';
import type { BenchName } from './cases.js';
import { LIGHT_MODELS_DIR } from './models/light_models.js';
import { BENCHES } from './cases.js';

/** The cold-start rows (bench/cold), selected by `--cold` or `--only cold-start`. */
export const COLD_BENCH = 'cold-start';
import type { PeerName } from './peers.js';
import { isPeerName, PEERS } from './peers.js';

/** The value after `--<name>` on a bench script's command line, or `fallback` (the side scripts: decoding, access costs). */
export function optionValue(name: string, fallback: string, argv: readonly string[] = process.argv): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
}

/** The command line of `npm run bench` / `npm run bench:quick`. */

export interface BenchOptions {
  readonly quick: boolean;
  readonly json: string | undefined;
  readonly only: readonly BenchName[];
  readonly peers: readonly PeerName[];
  /** Budget for the whole run; cases left when it runs out are reported as skipped. */
  readonly minutes: number;
  readonly cacheDir: string;
  readonly modelsDir: string;
  /** Also (or, with `--only cold-start`, only) time each model's first result from a cold start. */
  readonly cold: boolean;
}

export const USAGE = `usage: npm run bench [-- options]
  --quick             tiny sizes of a few cases: a smoke test (< 2 minutes)
  --json <file>       also write the rows as JSON: [{bench, case, peer, value, unit, ...}]
  --only <benches>    comma-separated subset of: ${BENCHES.join(', ')}, cold-start
  --cold              add the cold-start rows: each model's first result in a fresh process,
                      Mesa's shader cache disabled (--only cold-start: those rows alone)
  --peers <peers>     comma-separated subset of: ${PEERS.join(', ')}
  --minutes <m>       time budget of the warm run (default 15, quick 2; the cold rows have their own hour)
  --cache <dir>       where converted models and outputs go (default bench/.cache)
  --models <dir>      the light_*.onnx models (default bench/models/onnx)`;

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!(allowed as readonly string[]).includes(item)) throw new Error(`unknown ${what} '${item}' (known: ${allowed.join(', ')})`);
  return items as T[];
}

export function parseOptions(argv: readonly string[], repoRoot: string): BenchOptions {
  let quick = false;
  let json: string | undefined;
  let only: BenchName[] = [...BENCHES];
  let peers: PeerName[] = [...PEERS];
  let minutes: number | undefined;
  let cacheDir = resolve(repoRoot, 'bench/.cache');
  let modelsDir = LIGHT_MODELS_DIR;
  let cold = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--quick':
        quick = true;
        break;
      case '--json':
        json = resolve(value());
        break;
      case '--only': {
        const selected = list(value(), [...BENCHES, COLD_BENCH], 'bench');
        cold ||= selected.includes(COLD_BENCH);
        only = selected.filter((b): b is BenchName => b !== COLD_BENCH);
        break;
      }
      case '--cold':
        cold = true;
        break;
      case '--peers':
        peers = list(value(), PEERS, 'peer').filter(isPeerName);
        break;
      case '--minutes':
        minutes = Number(value());
        if (!(minutes > 0)) throw new Error('--minutes needs a positive number');
        break;
      case '--cache':
        cacheDir = resolve(value());
        break;
      case '--models':
        modelsDir = resolve(value());
        break;
      default:
        throw new Error(`unknown option '${arg}'\n${USAGE}`);
    }
  }
  return { quick, json, only, peers, minutes: minutes ?? (quick ? 2 : 15), cacheDir, modelsDir, cold };
}
