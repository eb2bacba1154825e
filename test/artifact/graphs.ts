import type { Dim, Graph, HostTensor } from '../../ir/index.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { randomTensor } from '../helpers/random.js';

/** Graphs the artifact tests compile both in process and through an artifact. */

const scalar = (b: GraphBuilder, value: number, name: string) => b.constant(hostTensor('f32', [], [value]), name);

/** x[5,8] → relu(x·W1 + b1)·W2 + b2, plus an i32 argMax and a bool mask: every host array type. */
/** `batch` may be a symbolic dim ('batch'): the same model for any number of rows. */
export function mlpGraph(batch: Dim = 5): Graph {
  const b = new GraphBuilder('mlp');
  const x = b.input('x', 'f32', [batch, 8]);
  const w1 = b.constant(randomTensor('f32', [8, 17], 1, -0.5, 0.5), 'fc1.weight');
  const b1 = b.constant(randomTensor('f32', [17], 2), 'fc1.bias');
  const w2 = b.constant(randomTensor('f32', [17, 3], 3, -0.5, 0.5), 'fc2.weight');
  // Unnamed and clashing constants must still get distinct weight names.
  const b2 = b.constant(randomTensor('f32', [3], 4), 'fc1.bias');
  const offset = b.constant(randomTensor('i32', [3], 5, -3, 3));
  const h = b.op('relu', [b.op('add', [b.op('matmul', [x, w1]), b1])]);
  const logits = b.op('add', [b.op('matmul', [h, w2]), b2]);
  b.output(logits, 'logits');
  b.output(b.op('add', [b.op('argMax', [logits], { axis: 1 }), b.op('reduceMax', [offset])]), 'shiftedClass');
  b.output(b.op('greater', [logits, scalar(b, 0, 'zero')]), 'positive');
  return b.graph;
}

export const TRAIN_SHAPES = { x: [8, 4], y: [8, 2] } as const;

export interface LinearParameters {
  readonly w: HostTensor;
  readonly b: HostTensor;
}

export function initialParameters(): LinearParameters {
  return { w: randomTensor('f32', [4, 2], 11, -1, 1), b: randomTensor('f32', [2], 12, -1, 1) };
}

/**
 * One step of least squares trained with SGD + momentum: states w, b (parameters) and
 * w.velocity (optimizer state); the output is the loss before the step.
 */
export function trainingStepGraph(lr = 0.05, momentum = 0.9): Graph {
  const b = new GraphBuilder('linear_train');
  const x = b.input('x', 'f32', TRAIN_SHAPES.x);
  const y = b.input('y', 'f32', TRAIN_SHAPES.y);
  const init = initialParameters();
  const w = b.state('w', init.w);
  const bias = b.state('b', init.b);
  const velocity = b.state('w.velocity', hostTensor('f32', [4, 2]));
  const err = b.op('sub', [b.op('add', [b.op('matmul', [x, w]), bias]), y]);
  b.output(b.op('reduceMean', [b.op('mul', [err, err])]), 'loss');
  const scale = scalar(b, 2 / 16, 'two_over_n');
  const gradW = b.op('mul', [b.op('matmul', [b.op('transpose', [x]), err]), scale]);
  const gradB = b.op('mul', [b.op('reduceSum', [err], { axes: [0] }), scale]);
  const nextVelocity = b.op('add', [b.op('mul', [velocity, scalar(b, momentum, 'momentum')]), gradW]);
  const rate = scalar(b, lr, 'lr');
  b.updateState(velocity, nextVelocity);
  b.updateState(w, b.op('sub', [w, b.op('mul', [nextVelocity, rate])]));
  b.updateState(bias, b.op('sub', [bias, b.op('mul', [gradB, rate])]));
  return b.graph;
}

/** The inference side of the same model: w and b are constants of the same names. */
export function inferenceGraph(params: LinearParameters = initialParameters()): Graph {
  const b = new GraphBuilder('linear_infer');
  const x = b.input('x', 'f32', TRAIN_SHAPES.x);
  const w = b.constant(params.w, 'w');
  const bias = b.constant(params.b, 'b');
  b.output(b.op('add', [b.op('matmul', [x, w]), bias]), 'prediction');
  return b.graph;
}
