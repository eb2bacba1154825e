import { hostBytesPerElement, numel } from '../../ir/index.js';
import type { InferencePipelineProgram, PipelineProgram, StageEstimate, StageTensor } from '../../ir/parallel_program.js';
import type { CostModel } from './cost.js';
import { DEFAULT_COST_MODEL } from './cost.js';

/** What `dawnflow inspect --plan --devices S` prints: the cuts, each stage's estimated cost and memory. */

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const gflop = (flops: number) => `${(flops / 1e9).toFixed(3)} GFLOP`;
/** A tensor crossing a cut, with the bytes sent: host data, read back from one device and written to the next. */
const tensor = (t: StageTensor) => `'${t.name}' ${t.dtype}[${t.shape.join(',')}] (${numel(t.shape) * hostBytesPerElement(t.dtype)} bytes)`;

function stageLine(index: number, e: Omit<StageEstimate, 'stateBytes' | 'savedActivationBytes'> & Partial<StageEstimate>, what: string): string {
  const parts = [`stage ${index}: ${what} ${e.blocks}`, `${gflop(e.flops)}, ${mb(e.bytes)} touched`, `est. ${e.ms.toFixed(2)} ms`, `memory ${mb(e.memoryBytes)} (arena ${mb(e.arenaBytes)}${e.stateBytes !== undefined ? `, states ${mb(e.stateBytes)}` : ''})`];
  if (e.savedActivationBytes) parts.push(`saved inputs ${mb(e.savedActivationBytes)} on the host`);
  return parts.join(' · ');
}

export function formatPipelinePlan(program: InferencePipelineProgram | PipelineProgram, model: CostModel = DEFAULT_COST_MODEL): string {
  const lines: string[] = [];
  const rates = `cost model ${(model.flopsPerSecond / 1e9).toFixed(0)} GFLOP/s, ${(model.bytesPerSecond / 1e9).toFixed(1)} GB/s`;
  if (program.format === 'dawnflow-inference-pipeline') {
    lines.push(`pipeline of ${program.stages.length} stages on ${program.stages.length} devices (${rates}; per batch)`);
    program.stages.forEach((s, i) => {
      lines.push(stageLine(i, s.estimate, 'nodes'));
      if (i < program.stages.length - 1) lines.push(`  cut ${i}→${i + 1}: ${s.sends.map(tensor).join(', ')}`);
    });
    const slowest = Math.max(...program.stages.map((s) => s.estimate.ms));
    lines.push(`throughput bound: one batch per ${slowest.toFixed(2)} ms (the slowest stage), before transfers`);
  } else {
    lines.push(`pipeline of ${program.stages.length} stages × ${program.replicas} replica(s), ${program.microBatches} micro-batches of ${program.microBatch}, ${program.schedule} (${rates}; per micro-batch)`);
    program.stages.forEach((s, i) => {
      lines.push(stageLine(i, s.estimate, 'layers'));
      if (s.output) lines.push(`  cut ${i}→${i + 1}: '${s.output.name}' ${s.output.dtype}[${program.microBatch},${s.output.exampleShape.join(',')}]`);
    });
  }
  return lines.join('\n');
}
