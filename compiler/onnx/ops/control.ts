import type { Value } from '../../../ir/index.js';
import { ModelFormatError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { ConstantRequiredError } from '../context.js';
import { defineOnnxOps } from './table.js';
import { input } from './util.js';

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

defineOnnxOps({
  If: ifOp,
});
