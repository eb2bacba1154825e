import type { Graph, HostTensor, Node, StaticShape } from '../../ir/index.js';
import { GraphError, isStaticShape, normalizeAxis, numel } from '../../ir/index.js';

/**
 * Constant indices of gathers and scatters, checked against their axes at compile time. The
 * device never trusts an index (it clamps it into the axis, so no kernel reads or writes out of
 * bounds), but ONNX and the reference interpreter make an out-of-range index an error: a
 * constant one would make every run silently compute a different answer. Indices computed at
 * run time cannot be checked here; the device clamps those. Returns the graph unchanged.
 */
export function checkConstantIndices(graph: Graph): Graph {
  for (const node of graph.nodes) {
    const check = CHECKS[node.op];
    if (!check) continue;
    const indices = graph.constants.get(node.inputs[1]);
    const shapes = node.inputs.map((v) => v.type.shape);
    // An empty result reads no index (the reference checks only those it reads).
    if (!indices || !shapes.every(isStaticShape) || !isStaticShape(node.outputs[0].type.shape) || numel(node.outputs[0].type.shape) === 0) continue;
    check(node, shapes as StaticShape[], indices);
  }
  return graph;
}

type Check = (node: Node, shapes: readonly StaticShape[], indices: HostTensor) => void;

function inAxis(node: Node, indices: HostTensor, at: number, dim: number, axis: number): void {
  const index = Number(indices.data[at]);
  if (index >= -dim && index < dim) return;
  throw new GraphError(`${node.op} '${node.name}': constant index ${index} (element ${at} of '${node.inputs[1].name}') is out of range for axis ${axis} of size ${dim}`);
}

/** Every element indexes the same axis. */
const alongAxis: Check = (node, [data, idx], indices) => {
  const axis = normalizeAxis(node.attrs.axis as number, data.length, `${node.op} '${node.name}'`);
  for (let i = 0; i < numel(idx); i++) inAxis(node, indices, i, data[axis], axis);
};

/** The last axis of the indices is a tuple over the data's axes from `first` on. */
const tuples =
  (first: (node: Node) => number): Check =>
  (node, [data, idx], indices) => {
    const m = idx[idx.length - 1];
    const b = first(node);
    for (let i = 0; i < numel(idx); i++) inAxis(node, indices, i, data[b + (i % m)], b + (i % m));
  };

const CHECKS: Readonly<Record<string, Check>> = {
  gather: alongAxis,
  gatherElements: alongAxis,
  scatterElements: alongAxis,
  gatherND: tuples((node) => node.attrs.batchDims as number),
  scatterND: tuples(() => 0),
};
