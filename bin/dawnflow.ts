#!/usr/bin/env node
import { main } from './cli.js';
import { processIO } from './io.js';

// Dawn keeps the event loop alive after a run: exit explicitly once output is flushed.
const code = await main(process.argv.slice(2), processIO);
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
process.exit(code);
