import type { Value } from '../../../ir/index.js';
import { ModelFormatError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { ConstantRequiredError } from '../context.js';
import { defineOnnxOps } from './table.js';
import { input, normAxis, staticDim } from './util.js';

/** Control flow the importer can resolve statically: If with a condition known at import time. */

function ifOp(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const cond = input(node, 0, 'cond');
  const condition = ctx.valuesOf(cond);
  if (condition === undefined) {
    throw new ConstantRequiredError(`${node.where}: If requires a condition known at import time (data-dependent control flow is not supported)`, cond.name);
  }
  const branchName = condition[0] ? 'then_branch' : 'else_branch';
  const branch = node.attrs.graph(branchName);
  if (!branch) throw new ModelFormatError(`${node.where}: missing attribute '${branchName}'`);
  const outputs = ctx.importSubgraph(branch, `${node.where} ${branchName}`);
  if (outputs.length !== node.outputs.length) {
    throw new ModelFormatError(`${node.where}: ${branchName} has ${outputs.length} outputs, the node ${node.outputs.length}`);
  }
  return outputs;
}

/** Loops longer than this are not unrolled. */
const MAX_UNROLL = 1024;

/** Stacks per-iteration values along a new axis. */
function stack(ctx: ImportContext, values: readonly Value[], axis: number): Value {
  const parts = values.map((v) => ctx.op('unsqueeze', [v], { axes: [axis] }));
  return parts.length === 1 ? parts[0] : ctx.op('concat', parts, { axis });
}

/**
 * Loop, unrolled: the trip count and the condition must be known at import time (the
 * condition after each iteration too, as it is when it only depends on the counter).
 */
function loop(node: OnnxNodeView, ctx: ImportContext): Value[] {
  const body = node.attrs.graph('body');
  if (!body) throw new ModelFormatError(`${node.where}: missing attribute 'body'`);
  const trips = node.inputs[0] ? ctx.constValues(node, 0, 'trip count M')[0] : undefined;
  let going = node.inputs[1] ? ctx.constValues(node, 1, 'condition')[0] !== 0 : true;
  if (trips === undefined && !node.inputs[1]) throw new UnsupportedOpError(`${node.where}: a Loop without trip count or condition never ends`);
  let carried = node.inputs.slice(2).map((_, i) => input(node, i + 2, `loop-carried input ${i}`));
  const scans: Value[][] = [];
  let k = 0;
  for (; going && (trips === undefined || k < trips); k++) {
    if (k >= MAX_UNROLL) throw new UnsupportedOpError(`${node.where}: Loop runs more than ${MAX_UNROLL} iterations; it is unrolled at import`);
    const outs = ctx.importSubgraph(body, `${node.where} iteration ${k}`, [ctx.scalar(k, 'i32'), ctx.scalar(1, 'bool'), ...carried]);
    const condition = ctx.valuesOf(outs[0]);
    if (condition === undefined) throw new UnsupportedOpError(`${node.where}: the Loop's condition depends on run-time data (data-dependent control flow is not supported)`);
    going = condition[0] !== 0;
    carried = outs.slice(1, 1 + carried.length);
    outs.slice(1 + carried.length).forEach((v, j) => (scans[j] ??= []).push(v));
  }
  const scanCount = (body.output ?? []).length - 1 - carried.length;
  if (scanCount > 0 && k === 0) throw new UnsupportedOpError(`${node.where}: a Loop with scan outputs that runs no iteration is not supported`);
  return [...carried.map((v) => ctx.op('identity', [v])), ...scans.map((list) => stack(ctx, list, 0))];
}

/** Scan (opset 9+), unrolled over the static length of its scan inputs. */
function scan(node: OnnxNodeView, ctx: ImportContext): Value[] {
  if (node.opset < 9) throw new UnsupportedOpError(`${node.where}: Scan before opset 9 (batched, with sequence_lens) is not supported`);
  const body = node.attrs.graph('body');
  if (!body) throw new ModelFormatError(`${node.where}: missing attribute 'body'`);
  const scanInputs = node.attrs.int('num_scan_inputs');
  const all = node.inputs.map((_, i) => input(node, i));
  if (!(scanInputs >= 1 && scanInputs <= all.length)) throw new ModelFormatError(`${node.where}: num_scan_inputs ${scanInputs} must be between 1 and the ${all.length} inputs`);
  const stateCount = all.length - scanInputs;
  let states = all.slice(0, stateCount);
  const sequences = all.slice(stateCount);
  const inAxes = node.attrs.ints('scan_input_axes', sequences.map(() => 0)).map((a, i) => normAxis(node, a, sequences[i].type.shape.length));
  const inReverse = node.attrs.ints('scan_input_directions', sequences.map(() => 0));
  const length = staticDim(node, sequences[0], inAxes[0]);
  if (length > MAX_UNROLL) throw new UnsupportedOpError(`${node.where}: Scan over ${length} steps; more than ${MAX_UNROLL} are not unrolled`);
  const scans: Value[][] = [];
  for (let t = 0; t < length; t++) {
    const slices = sequences.map((seq, i) => {
      const at = inReverse[i] ? length - 1 - t : t;
      const piece = ctx.op('slice', [seq], { starts: [at], ends: [at + 1], axes: [inAxes[i]], steps: [1] });
      return ctx.op('squeeze', [piece], { axes: [inAxes[i]] });
    });
    const outs = ctx.importSubgraph(body, `${node.where} step ${t}`, [...states, ...slices]);
    states = outs.slice(0, stateCount);
    outs.slice(stateCount).forEach((v, j) => (scans[j] ??= []).push(v));
  }
  const outAxes = node.attrs.ints('scan_output_axes', scans.map(() => 0));
  const outReverse = node.attrs.ints('scan_output_directions', scans.map(() => 0));
  const stacked = scans.map((list, j) => {
    const ordered = outReverse[j] ? [...list].reverse() : list;
    return stack(ctx, ordered, normAxis(node, outAxes[j], list[0].type.shape.length + 1));
  });
  return [...states.map((v) => ctx.op('identity', [v])), ...stacked];
}

defineOnnxOps({
  If: ifOp,
  Loop: loop,
  Scan: scan,
});
