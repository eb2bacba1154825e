import { allocHost } from '../../ir/dtype.js';
import { UsageError } from '../../ir/errors.js';
import type { PipelineStage } from '../../ir/parallel_program.js';
import type { StaticPlan, StaticPlanTensor } from '../../ir/plan.js';
import { numel } from '../../ir/shape.js';
import type { HostTensor } from '../../ir/tensor.js';

/** Moving a stage's states between ranks as one block of bytes (gathering a checkpoint). */

/** The states of a stage that belong in a checkpoint: all but the gradient accumulators (zero between steps). */
export function stageStateNames(stage: PipelineStage): string[] {
  const skip = new Set(stage.accumulators);
  const plan = stage.phased.plan;
  return plan.states.map((s) => plan.tensors[s.tensor].name).filter((n) => !skip.has(n));
}

export function encodeStates(states: Readonly<Record<string, HostTensor>>, names: readonly string[]): Uint8Array {
  const parts = names.map((n) => states[n].data);
  const out = new Uint8Array(parts.reduce((s, d) => s + d.byteLength, 0));
  let offset = 0;
  for (const d of parts) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), offset);
    offset += d.byteLength;
  }
  return out;
}

/** The plan tensor of the state named `name` (the program names every state it uses). */
export function stateTensor(plan: StaticPlan, name: string): StaticPlanTensor {
  const state = plan.states.find((s) => plan.tensors[s.tensor].name === name);
  if (!state) throw new UsageError(`phased plan '${plan.name}': no state '${name}'`);
  return plan.tensors[state.tensor];
}

/** A buffer to receive `names`' states of `plan` into, and how to read them out of it. */
export function decodeStates(plan: StaticPlan, names: readonly string[]): { bytes: Uint8Array; decode: () => Record<string, HostTensor> } {
  const tensors = names.map((n) => stateTensor(plan, n));
  const hosts = tensors.map((t) => allocHost(t.dtype, numel(t.shape)));
  const bytes = new Uint8Array(hosts.reduce((s, d) => s + d.byteLength, 0));
  return {
    bytes,
    decode: () => {
      const out: Record<string, HostTensor> = {};
      let offset = 0;
      tensors.forEach((t, i) => {
        const d = hosts[i];
        new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(bytes.subarray(offset, offset + d.byteLength));
        offset += d.byteLength;
        out[names[i]] = { dtype: t.dtype, shape: [...t.shape], data: d };
      });
      return out;
    },
  };
}
