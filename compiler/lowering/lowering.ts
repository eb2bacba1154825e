import type { Graph } from '../../ir/index.js';
import { printGraph } from '../../ir/index.js';
import { materializeOutputs } from '../passes/materialize_outputs.js';
import { rematerialize } from '../remat/rematerialize.js';
import type { Assembled } from './assemble.js';
import { assemble } from './assemble.js';
import { describeArena, describeInPlace, describeKernels, describeLifetimes, describePartition, describePlacement, describePlan, describeRematerialized, describeSchedule, describeViews } from './describe.js';
import { optimize, specializeDims, verifySource } from './graph_stages.js';
import { codegen, elideViewKernels, partition, schedule, writeInPlace } from './kernel_stages.js';
import { computeLifetimes } from './lifetimes.js';
import type { CompileOptions } from './options.js';
import { resolveOptions } from './options.js';
import { pack, place } from './placement.js';
import { chain } from './stage.js';

/**
 * Graph → Plan, in order. Each stage takes the value the one before it made (the type checker
 * holds the list to that: see `chain`) and adds to it: graph → kernel groups → their order →
 * recomputations for a memory budget → kernels (WGSL) → in-place aliases → lifetimes → arena layout → placed tensors → the Plan.
 */
export const LOWERING = chain([
  { name: 'verify', purpose: 'the source graph is well formed', run: verifySource, describe: printGraph },
  { name: 'specialize', purpose: 'symbolic dims take the sizes given', run: specializeDims, describe: printGraph },
  { name: 'optimize', purpose: 'the graph passes (PIPELINE in compiler/pipeline.ts)', run: optimize, describe: printGraph },
  { name: 'materializeOutputs', purpose: 'every output written by a kernel of its own', run: materializeOutputs, describe: printGraph },
  { name: 'partition', purpose: 'fuse nodes into kernel groups', run: partition, describe: describePartition },
  { name: 'schedule', purpose: 'order the groups for the lowest peak of live bytes', run: schedule, describe: describeSchedule },
  { name: 'rematerialize', purpose: 'recompute values after the memory peak until the arena fits the memory budget', run: rematerialize, describe: describeRematerialized },
  { name: 'views', purpose: 'lone reshapes become views of their input, not kernels', run: elideViewKernels, describe: describeViews },
  { name: 'codegen', purpose: 'one WGSL kernel per group', run: codegen, describe: describeKernels },
  { name: 'inPlace', purpose: 'outputs written over inputs that die in their kernel', run: writeInPlace, describe: describeInPlace },
  { name: 'lifetimes', purpose: 'the steps each buffer is live over', run: computeLifetimes, describe: describeLifetimes },
  { name: 'pack', purpose: 'arena offsets: buffers live at different times share bytes', run: pack, describe: describeArena },
  { name: 'place', purpose: 'every tensor a region and an offset', run: place, describe: describePlacement },
  { name: 'assemble', purpose: 'the Plan: dense tensor ids, one pipeline per distinct WGSL', run: assemble, describe: describePlan },
]);

/** Every stage name, in order (`--print-ir-after` also takes the graph pass names). */
export const STAGE_NAMES: readonly string[] = LOWERING.map((s) => s.name);

/** Runs every stage in order, telling `options.onStage` after each. */
export function lower(graph: Graph, options: CompileOptions = {}): Assembled {
  const resolved = resolveOptions(options);
  let value: unknown = graph;
  for (const stage of LOWERING) {
    const result = stage.run(value as never, resolved);
    resolved.onStage?.({ name: stage.name, kind: 'stage', value: result, describe: () => stage.describe(result as never) });
    value = result;
  }
  // `chain` proved that each stage takes what the one before gives; the last gives this.
  return value as Assembled;
}
