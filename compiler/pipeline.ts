import type { Graph } from '../ir/index.js';
import { UsageError, verifyGraph } from '../ir/index.js';
import { checkConstantIndices } from './passes/check_constant_indices.js';
import { eliminateCommonSubexpressions } from './passes/eliminate_common_subexpressions.js';
import { eliminateDeadCode } from './passes/eliminate_dead_code.js';
import { foldBatchNormIntoContraction } from './passes/fold_batch_norm.js';
import { foldConstants } from './passes/fold_constants.js';
import { inferShapes } from './passes/infer_shapes.js';
import { recognizePatterns } from './passes/recognize_patterns.js';
import { fuseAttention } from './passes/fuse_attention.js';
import { simplifyAlgebra } from './passes/simplify_algebra.js';
import { splitLongReductions } from './passes/split_long_reductions.js';

/** A graph pass: a pure function from a graph to an equivalent one. */
export interface GraphPass {
  readonly name: string;
  readonly run: (graph: Graph) => Graph;
  /** What it is for, in a few words (for `inspect` and the reader of this list). */
  readonly purpose: string;
}

/**
 * The graph-level optimizations every graph goes through before fusion, in order. A pass may
 * appear twice; disabling it by name disables both.
 */
export const PIPELINE: readonly GraphPass[] = [
  { name: 'inferShapes', run: inferShapes, purpose: 'types from the inputs, nodes in order' },
  { name: 'foldConstants', run: foldConstants, purpose: 'weight expressions, shape arithmetic' },
  { name: 'checkConstantIndices', run: checkConstantIndices, purpose: 'constant gather/scatter indices inside their axes (the device clamps)' },
  { name: 'simplifyAlgebra', run: simplifyAlgebra, purpose: 'x·1, x/c, transpose∘transpose, reshape chains' },
  { name: 'eliminateCommonSubexpressions', run: eliminateCommonSubexpressions, purpose: 'exporters repeat x - mean, exp(…)' },
  { name: 'recognizePatterns', run: recognizePatterns, purpose: 'GELU, softmax, LayerNorm → one op each' },
  { name: 'fuseAttention', run: fuseAttention, purpose: 'matmul → scale → mask → softmax → matmul → one attention op' },
  { name: 'foldBatchNormIntoContraction', run: foldBatchNormIntoContraction, purpose: 'conv/Gemm absorb inference BatchNorm' },
  { name: 'simplifyAlgebra', run: simplifyAlgebra, purpose: 'again: layout chains the rewrites left' },
  { name: 'splitLongReductions', run: splitLongReductions, purpose: 'few outputs over a long extent (a gradient norm) → two reductions on many invocations' },
  { name: 'eliminateDeadCode', run: eliminateDeadCode, purpose: 'what no output or state update reads' },
];

/** Every pass name `runPasses` accepts in `disable`. */
export const PASS_NAMES: readonly string[] = [...new Set(PIPELINE.map((p) => p.name))];

export interface RunPassesOptions {
  /** Names of passes to skip (every occurrence), for debugging a miscompile. */
  readonly disable?: readonly string[];
  /** Verify the graph after every pass (a pass that breaks an invariant is named). */
  readonly verify?: boolean;
  /** Called after each pass that ran, with its result. */
  readonly afterPass?: (name: string, graph: Graph) => void;
}

/** Runs the pipeline; the input graph is not modified. */
export function runPasses(graph: Graph, options: RunPassesOptions = {}): Graph {
  const disabled = new Set(options.disable ?? []);
  for (const name of disabled) {
    if (!PASS_NAMES.includes(name)) throw new UsageError(`unknown graph pass '${name}' to disable (passes: ${PASS_NAMES.join(', ')})`);
  }
  let current = graph;
  for (const pass of PIPELINE) {
    if (disabled.has(pass.name)) continue;
    current = pass.run(current);
    if (options.verify) {
      try {
        verifyGraph(current);
      } catch (e) {
        if (e instanceof Error) e.message = `after graph pass '${pass.name}': ${e.message}`;
        throw e;
      }
    }
    options.afterPass?.(pass.name, current);
  }
  return current;
}
