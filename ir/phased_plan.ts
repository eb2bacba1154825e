import type { PlanIO, PlanStateUpdate, StaticPlan } from './plan.js';

/**
 * Several compiled graphs that run on one device and share its persistent state: a training
 * step cut in two (gradients, then the optimizer's update once the gradients are all-reduced),
 * or a pipeline stage's forward, backward and update. Each phase is a range of the steps of one
 * carrier Plan:
 *
 * - states are shared by name: every phase that has a state finds it at the same offset, so
 *   what one phase writes the next reads, with no copy;
 * - arenas are overlaid: phases run one after another on the device's queue and never read
 *   each other's intermediates (a phase's inputs are written just before it runs);
 * - constants sit side by side.
 *
 * The carrier plan's own inputs, outputs and state updates are empty: each phase has its own.
 * Plain data, like a Plan: runtime/distributed runs it without the compiler. Every size is
 * static: the phases of a parallel step are compiled at one batch (the carrier is a StaticPlan).
 */
export const PHASED_PLAN_FORMAT = 'dawnflow-phased-plan';

export interface PlanPhase {
  readonly name: string;
  /** The phase's steps are the carrier plan's [firstStep, endStep). */
  readonly firstStep: number;
  readonly endStep: number;
  readonly inputs: readonly PlanIO[];
  readonly outputs: readonly PlanIO[];
  /** Copies made after the phase's last step (states updated in place need none). */
  readonly stateUpdates: readonly PlanStateUpdate[];
  /** The phase's own arena peak, in bytes (the carrier's arena is the largest of these). */
  readonly arenaBytes: number;
}

export interface PhasedPlan {
  readonly format: typeof PHASED_PLAN_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly plan: StaticPlan;
  readonly phases: readonly PlanPhase[];
}
