import type { AttrValue, Graph, Value } from './graph.js';
import { formatType } from './tensor.js';

function formatAttr(v: AttrValue): string {
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (typeof v === 'object') return `tensor<${formatType(v as { dtype: string; shape: readonly (number | string)[] } as never)}>`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * A readable text form, one node a line:
 *   %fc1 = matmul(%x, %w1) : f32[N,256]
 */
export function printGraph(graph: Graph): string {
  const name = (v: Value) => `%${v.name || `v${v.id}`}`;
  const lines: string[] = [];
  const sig = graph.inputs.map((v) => `${name(v)}: ${formatType(v.type)}`).join(', ');
  lines.push(`graph ${graph.name}(${sig}) {`);
  for (const [v] of graph.constants) lines.push(`  ${name(v)} = const : ${formatType(v.type)}`);
  for (const [v] of graph.states) lines.push(`  ${name(v)} = state : ${formatType(v.type)}`);
  for (const n of graph.nodes) {
    const attrs = Object.entries(n.attrs).map(([k, v]) => `${k}=${formatAttr(v)}`);
    const outs = n.outputs.map(name).join(', ');
    const types = n.outputs.map((v) => formatType(v.type)).join(', ');
    lines.push(`  ${outs} = ${n.op}(${n.inputs.map(name).join(', ')})${attrs.length ? ` {${attrs.join(', ')}}` : ''} : ${types}`);
  }
  for (const [s, next] of graph.stateUpdates) lines.push(`  ${name(s)} <- ${name(next)}`);
  lines.push(`  return ${graph.outputs.map(name).join(', ')}`);
  lines.push('}');
  return lines.join('\n');
}
