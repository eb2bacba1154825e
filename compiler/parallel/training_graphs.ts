import type { Graph, HostTensor } from '../../ir/index.js';
import { hostTensor, UsageError } from '../../ir/index.js';
import type { Module } from '../dsl/module.js';
import type { Parameter } from '../dsl/parameter.js';
import type { Tensor } from '../dsl/tensor.js';
import { Trace } from '../dsl/trace.js';
import { applyOptimizer } from '../optim/apply.js';
import type { TrainingSpec } from '../train/compile_training.js';
import { traceLossGradients } from '../train/compile_training.js';

/**
 * The graphs parallel training compiles, built from the same pieces as a single-device step
 * (compiler/train): the model's forward, the loss, autodiff and `applyOptimizer`, so the
 * arithmetic is the single-device step's, cut into phases.
 */

export { INPUT, TARGET } from '../train/compile_training.js';

/** Names the model's parameters and draws the ones not yet initialized (as compileTraining does). */
export function prepareModel(spec: TrainingSpec): void {
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) throw new UsageError(`batchSize ${spec.batchSize} must be a positive integer`);
  for (const p of spec.model.parameters()) if (!p.initialized) p.initialize(spec.seed ?? 0);
}

export function gradientName(parameter: string): string {
  return `grad:${parameter}`;
}

export function accumulatorName(parameter: string): string {
  return `${parameter}/grad_accumulator`;
}

/** Forward in training mode, the mean loss over `batch`, and every trainable parameter's gradient as an output. */
export function gradientGraph(spec: TrainingSpec, batch: number): { graph: Graph; parameters: Parameter[] } {
  const trace = new Trace('grads', { mode: 'train', seed: spec.seed ?? 0 });
  const parameters: Parameter[] = [];
  for (const { parameter, grad } of traceLossGradients(trace, spec, batch)) {
    if (!grad) continue;
    trace.output(grad, gradientName(parameter.name));
    parameters.push(parameter);
  }
  return { graph: trace.graph, parameters };
}

export interface ApplyGraph {
  readonly graph: Graph;
  readonly optimizerStates: readonly string[];
}

/**
 * The optimizer's update of `parameters` from their gradients and the step counter's
 * increment. Gradients come in as inputs (`grad:<name>`), or from accumulator states summed
 * over `accumulate` micro-batches (divided by it, then zeroed).
 */
export function applyGraph(spec: TrainingSpec, parameters: readonly Parameter[], source: { readonly inputs: true } | { readonly accumulate: number; readonly inputs: boolean }): ApplyGraph {
  const trace = new Trace('apply', { mode: 'train', seed: spec.seed ?? 0 });
  const entries = parameters.map((p) => {
    const value = trace.param(p);
    let g: Tensor;
    if ('accumulate' in source) {
      const acc = trace.state(accumulatorName(p.name), zeros(p));
      trace.updateState(acc, acc.lift(0).expand([...p.shape]));
      // With replicas, the reduced accumulators come in as inputs and the local ones are only zeroed.
      const summed = source.inputs ? trace.input(gradientName(p.name), p.dtype, [...p.shape]) : acc;
      g = source.accumulate === 1 ? summed : summed.div(source.accumulate);
    } else {
      g = trace.input(gradientName(p.name), p.dtype, [...p.shape]);
    }
    return { parameter: p, value, grad: g };
  });
  const step = trace.stepCounter();
  const result = applyOptimizer(trace, spec.optimizer, entries, step);
  trace.updateState(step, step.add(1));
  trace.output(result.gradNorm, 'gradNorm');
  trace.output(result.finite, 'finite');
  return { graph: trace.graph, optimizerStates: [...result.stateNames] };
}

export function zeros(p: Parameter): HostTensor {
  return hostTensor(p.dtype, [...p.shape]);
}

/** The blocks a pipeline splits: the layers of a top-level Sequential. */
export function blocksOf(model: Module): Module[] {
  const layers = (model as { layers?: unknown }).layers;
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every((l) => typeof (l as Module).call === 'function')) {
    throw new UsageError(`pipeline parallelism splits an nn.Sequential model between its layers; got a ${model.constructor.name}`);
  }
  return layers as Module[];
}
