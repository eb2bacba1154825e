#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { RELAYED_ENV, runWithRelayedStderr } from './dawn_notices.js';

// The command runs in a child whose stderr this process relays without Dawn's adapter notices
// (see dawn_notices.ts), so a user sees only dawnflow's own output.
let code: number;
if (process.env[RELAYED_ENV] === '1') {
  const [{ main }, { processIO }] = await Promise.all([import('./cli.js'), import('./io.js')]);
  code = await main(process.argv.slice(2), processIO);
} else {
  code = await runWithRelayedStderr(fileURLToPath(import.meta.url), process.argv.slice(2));
}
// Dawn keeps the event loop alive after a run: exit explicitly once output is flushed.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
process.exit(code);
