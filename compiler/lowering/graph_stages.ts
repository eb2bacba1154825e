import type { Graph } from '../../ir/index.js';
import { printGraph, verifyGraph } from '../../ir/index.js';
import { specialize } from '../passes/specialize.js';
import { runPasses } from '../pipeline.js';
import type { LoweringOptions } from './options.js';

/** The stages on whole graphs, before the graph is cut into kernels. */

/** The source graph is well formed (a typed error naming the fault otherwise); it passes through unchanged. */
export function verifySource(graph: Graph): Graph {
  verifyGraph(graph);
  return graph;
}

/** Symbolic dims take the sizes `options.dims` gives; the others stay symbolic through every later stage. */
export function specializeDims(graph: Graph, options: LoweringOptions): Graph {
  return specialize(graph, new Map(Object.entries(options.sizes)));
}

/**
 * The graph passes of `PIPELINE` (compiler/pipeline.ts), less those `disablePasses` names, and
 * less `fuseAttention` unless the options ask for it.
 */
export function optimize(graph: Graph, options: LoweringOptions): Graph {
  if (options.disablePasses === 'all') return graph;
  const onStage = options.onStage;
  return runPasses(graph, {
    disable: [...(options.disablePasses ?? []), ...(options.fuseAttention ? [] : ['fuseAttention'])],
    afterPass: onStage && ((name, value) => onStage({ name, kind: 'graph pass', value, describe: () => printGraph(value) })),
  });
}
