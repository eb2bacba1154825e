// Every test process: the Dawn runtime needs XDG_RUNTIME_DIR on headless Linux.
import { mkdirSync } from 'node:fs';

if (!process.env.XDG_RUNTIME_DIR) {
  const dir = `/tmp/xdg-runtime-${process.getuid?.() ?? 0}`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

// Runs compile their models: a plan cache carried from one test (or one earlier run) into the
// next would change what they exercise. Tests of the cache switch it on for themselves.
process.env.DAWNFLOW_PLAN_CACHE ??= 'off';
