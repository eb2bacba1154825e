import type { Graph, HostTensor, Plan, StaticShape, Value } from '../../ir/index.js';
import { allocHost, GraphBuilder, numel } from '../../ir/index.js';
import type { KernelGroup } from '../../targets/wgsl/codegen.js';
import { matchesTiledConv } from '../../targets/wgsl/templates/tiled_conv.js';
import { matchesTiledMatmul } from '../../targets/wgsl/templates/tiled_matmul.js';
import { matchesVec4Matmul } from '../../targets/wgsl/templates/vec4_matmul.js';
import type { CompileOptions } from '../compile.js';
import { compile, compileWithReport } from '../compile.js';
import { convCandidates, matmulCandidates, vec4MatmulCandidates } from './search_space.js';
import type { KernelConfig, TuningTable } from './tuning_table.js';
import { kernelSignature } from './tuning_table.js';

/**
 * Autotuning: for every templated kernel of a graph whose signature the table does not know yet,
 * time each candidate configuration on the real adapter and keep the fastest. The compiler does
 * not know devices: the caller passes `measure`, which runs a plan and returns its time in ms.
 */
export interface AutotuneOptions extends Omit<CompileOptions, 'matmulConfig' | 'vec4MatmulConfig' | 'convConfig'> {
  readonly adapter: string;
  readonly maxInvocations: number;
  readonly measure: (plan: Plan, inputs: Record<string, HostTensor>) => Promise<number>;
  readonly onProgress?: (message: string) => void;
}

type Kind = 'matmul' | 'vec4-matmul' | 'conv';

function kindOf(group: KernelGroup): Kind | null {
  if (matchesTiledMatmul(group)) return matchesVec4Matmul(group) ? 'vec4-matmul' : 'matmul';
  if (matchesTiledConv(group)) return 'conv';
  return null;
}

/** The group alone as a graph: its external inputs become graph inputs. */
function extractGroup(group: KernelGroup): { graph: Graph; inputs: Record<string, HostTensor> } {
  const b = new GraphBuilder('tune');
  const map = new Map<Value, Value>();
  const inputs: Record<string, HostTensor> = {};
  const inside = new Set(group.nodes.flatMap((n) => n.outputs));
  for (const node of group.nodes) {
    for (const v of node.inputs) {
      if (inside.has(v) || map.has(v)) continue;
      const name = `in${map.size}`;
      map.set(v, b.input(name, v.type.dtype, v.type.shape));
      const shape = v.type.shape as StaticShape;
      const data = allocHost(v.type.dtype, numel(shape));
      for (let i = 0; i < data.length; i++) data[i] = v.type.dtype === 'f32' ? ((i * 7919) % 997) / 997 - 0.5 : 0;
      inputs[name] = { dtype: v.type.dtype, shape, data };
    }
    const outs = b.apply(node.op, node.inputs.map((v) => map.get(v)!), node.attrs, node.name);
    node.outputs.forEach((v, i) => map.set(v, outs[i]));
  }
  for (const v of group.outputs) b.output(map.get(v)!, 'out');
  return { graph: b.graph, inputs };
}

function candidates(kind: Kind, group: KernelGroup, maxInvocations: number, subgroupMinSize: number): KernelConfig[] {
  const out = group.anchor!.outputs[0].type.shape as StaticShape;
  const [m, n] = out.slice(-2);
  if (kind === 'matmul') return matmulCandidates(m, n, maxInvocations);
  if (kind === 'vec4-matmul') return vec4MatmulCandidates(m, n, maxInvocations, subgroupMinSize);
  const channelsPerGroup = out[1] / (group.anchor!.attrs.group as number);
  return convCandidates(out, channelsPerGroup, maxInvocations, subgroupMinSize);
}

/**
 * Below this many multiply-adds a kernel's time is its dispatch, whatever its tiles: such kernels
 * keep the default configuration rather than cost dozens of pipeline compiles each.
 */
export const MIN_TUNED_MULTIPLY_ADDS = 1 << 20;

/** Multiply-adds of a templated group: its anchor's outputs times the length of each reduction. */
function multiplyAdds(kind: Kind, group: KernelGroup): number {
  const anchor = group.anchor!;
  const outputs = numel(anchor.outputs[0].type.shape as StaticShape);
  const w = anchor.inputs[1].type.shape as StaticShape;
  if (kind !== 'conv') return outputs * (anchor.inputs[0].type.shape.at(-1) as number);
  // conv: channels per group × taps; a conv's input gradient reduces over the forward's outputs.
  return outputs * (anchor.op === 'conv' ? numel(w.slice(1)) : w[0] * numel(w.slice(2)));
}

export async function autotune(graph: Graph, table: TuningTable, options: AutotuneOptions): Promise<TuningTable> {
  const { report } = compileWithReport(graph, options);
  const entries = { ...table.entries };
  const seen = new Set<string>();
  for (const group of report.groups) {
    const kind = kindOf(group);
    if (!kind || multiplyAdds(kind, group) < MIN_TUNED_MULTIPLY_ADDS) continue;
    const key = `${options.adapter}|${kernelSignature(kind, group)}`;
    if (entries[key] || seen.has(key)) continue;
    seen.add(key);
    const { graph: single, inputs } = extractGroup(group);
    let best: { config: KernelConfig; ms: number } | null = null;
    const space = candidates(kind, group, options.maxInvocations, Number(options.limits?.subgroupMinSize ?? 0));
    for (const config of space) {
      const fixed = () => config as never;
      const plan = compile(single, { limits: options.limits, matmulConfig: fixed, vec4MatmulConfig: fixed, convConfig: fixed });
      const ms = await options.measure(plan, inputs);
      if (!best || ms < best.ms) best = { config, ms };
    }
    if (best) {
      entries[key] = best;
      options.onProgress?.(`tuned ${kernelSignature(kind, group)}: ${JSON.stringify(best.config)} ${best.ms.toFixed(3)} ms (${space.length} candidates)`);
    }
  }
  return { version: 1, entries };
}
