import { UsageError } from '../../ir/index.js';
import { PASS_NAMES } from '../pipeline.js';
import { STAGE_NAMES } from './lowering.js';
import type { StageEvent } from './stage_event.js';

/**
 * `--print-ir-after <stage|pass>`: an `onStage` observer that prints the value after the named
 * lowering stages and graph passes ('all': after every one). A graph pass that runs twice prints
 * twice; a disabled one prints nothing. Unknown names are a UsageError listing the valid ones.
 */
export function printAfter(names: readonly string[], print: (text: string) => void): (event: StageEvent) => void {
  for (const name of names) {
    if (name !== 'all' && !STAGE_NAMES.includes(name) && !PASS_NAMES.includes(name)) {
      throw new UsageError(`--print-ir-after: unknown stage or graph pass '${name}' (stages: ${STAGE_NAMES.join(', ')}; graph passes: ${PASS_NAMES.join(', ')}; or all)`);
    }
  }
  const all = names.includes('all');
  const wanted = new Set(names);
  return (event) => {
    if (all || wanted.has(event.name)) print(`=== after ${event.kind} '${event.name}' ===\n${event.describe()}`);
  };
}
