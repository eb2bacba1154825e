import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs the parallel bench (bench/parallel.ts) in a process of its own; its section goes to stdout. */
export function runParallelSection(options: { readonly quick: boolean; readonly cacheDir: string }): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const args = [...process.execArgv, join(here, 'parallel.ts'), '--out', options.cacheDir, ...(options.quick ? ['--quick'] : [])];
  const child = spawn(process.execPath, args, { cwd: resolve(here, '..'), stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((done) => {
    child.on('exit', (code, signal) => {
      if (code !== 0) process.stderr.write(`parallel bench: its process ended with ${signal ?? `code ${code}`}\n`);
      done();
    });
  });
}
