import type { Scalar, Tensor, Tensor4D, Variable } from '@tensorflow/tfjs';
import type { BenchCase } from '../cases.js';
import type { NamedTensors } from '../case_inputs.js';
import { caseInputs } from '../case_inputs.js';
import type { CnnParameter, CnnShape } from '../models/cnn_step.js';
import { CNN_CONVS, CNN_PARAMETERS } from '../models/cnn_step.js';
import { MLP_PARAMETERS } from '../models/mlp_step.js';
import type { PeerDriver, PreparedCase } from './driver.js';
import { toF32 } from './driver.js';
import { installWebGpuGlobals, releaseWebGpuGlobals } from './webgpu_env.js';

/**
 * TensorFlow.js with `tfjs-backend-webgpu` on Dawn's adapter. The union package
 * `@tensorflow/tfjs` is needed for training (tfjs-core alone registers no gradients in Node).
 * tfjs has no ONNX import, so it runs the cases that are plain tfjs programs: matmul and the
 * MLP and CNN training steps.
 */

type Tf = typeof import('@tensorflow/tfjs');

let tfPromise: Promise<Tf> | undefined;

async function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    // navigator.gpu must exist before the backend is imported: it registers at import time.
    installWebGpuGlobals();
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise its webgpu backend');
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

export class TfjsDriver implements PeerDriver {
  readonly peer = 'tfjs-webgpu' as const;

  unsupported(c: BenchCase): string | undefined {
    switch (c.spec.kind) {
      case 'matmul':
      case 'mlp-step':
      case 'cnn-step':
        return undefined;
      case 'fma':
      case 'bandwidth':
        return 'raw-WGSL device microbenchmark: measured through dawnflow\'s runtime only';
      default:
        return 'tfjs has no ONNX import (equivalent tfjs layers are not built here)';
    }
  }

  async prepare(c: BenchCase): Promise<PreparedCase> {
    const tf = await loadTf();
    const inputs = caseInputs(c);
    const spec = c.spec;
    if (spec.kind === 'matmul') {
      const runOnce = async (): Promise<NamedTensors> => {
        const a = tf.tensor2d(inputs.a.data, [spec.n, spec.n]);
        const b = tf.tensor2d(inputs.b.data, [spec.n, spec.n]);
        const product = tf.matMul(a, b);
        const data = await product.data();
        tf.dispose([a, b, product]);
        return { c: { shape: [spec.n, spec.n], data: toF32(data) } };
      };
      return { first: runOnce, run: async () => void (await runOnce()), dispose: () => undefined };
    }
    if (spec.kind === 'cnn-step') return prepareCnnStep(tf, spec.shape, inputs);
    if (spec.kind !== 'mlp-step') throw new Error(`tfjs runs no ${spec.kind} case`);

    const s = spec.shape;
    const params = Object.fromEntries(MLP_PARAMETERS.map((name) => [name, tf.variable(tf.tensor(inputs[name].data, [...inputs[name].shape]), true, `mlp_${name}`)]));
    return sgdStepCase(tf, {
      learningRate: s.learningRate,
      params,
      parameterShapes: inputs,
      batch: () => ({ x: tf.tensor2d(inputs.x.data, [s.batch, s.inputs]), labels: tf.tensor2d(inputs.labels.data, [s.batch, s.classes]) }),
      logits: (x) => x.matMul(params.w1).add(params.b1).relu().matMul(params.w2).add(params.b2),
    });
  }

  async close(): Promise<void> {
    releaseWebGpuGlobals();
  }
}

/**
 * The MNIST CNN step (bench/models/cnn_step.ts) in tfjs's layout: NHWC images, [kh, kw, in, out]
 * filters (the case's [out, in, kh, kw] ones transposed), the feature map back to NCHW before
 * the flatten so the dense weights line up; the updated filters are transposed back for the check.
 */
function prepareCnnStep(tf: Tf, s: CnnShape, inputs: NamedTensors): PreparedCase {
  const filters = new Set<CnnParameter>(['c1w', 'c2w']);
  const params = Object.fromEntries(
    CNN_PARAMETERS.map((name) => {
      const t = tf.tensor(inputs[name].data, [...inputs[name].shape]);
      const value = filters.has(name) ? tf.transpose(t, [2, 3, 1, 0]) : t;
      return [name, tf.variable(value, true, `cnn_${name}`)];
    }),
  ) as Record<CnnParameter, ReturnType<Tf['variable']>>;
  const [c1, c2] = CNN_CONVS;
  const pad = (p: number): [[number, number], [number, number], [number, number], [number, number]] => [[0, 0], [p, p], [p, p], [0, 0]];
  return sgdStepCase(tf, {
    learningRate: s.learningRate,
    params,
    parameterShapes: inputs,
    batch: () => ({ x: tf.transpose(tf.tensor4d(inputs.x.data, [s.batch, 1, 28, 28]), [0, 2, 3, 1]), labels: tf.tensor2d(inputs.labels.data, [s.batch, 10]) }),
    logits: (x) => {
      const h1 = tf.relu(tf.add(tf.conv2d(x as Tensor4D, params.c1w as Tensor4D, c1.stride, pad(c1.pad)), params.c1b));
      const h2 = tf.relu(tf.add(tf.conv2d(h1 as Tensor4D, params.c2w as Tensor4D, c2.stride, pad(c2.pad)), params.c2b));
      const flat = tf.reshape(tf.transpose(h2, [0, 3, 1, 2]), [s.batch, c2.cout * c2.out * c2.out]);
      return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, params.f1w), params.f1b)), params.f2w), params.f2b);
    },
    updated: (name) => (filters.has(name) ? tf.transpose(params[name], [3, 2, 0, 1]) : params[name]),
  });
}

interface SgdStep<P extends string> {
  readonly learningRate: number;
  readonly params: Readonly<Record<P, Variable>>;
  /** Where each parameter's case shape is read (the updated values are reported in it). */
  readonly parameterShapes: NamedTensors;
  /** The step's batch, uploaded anew each step; intermediates of making it are released at once. */
  readonly batch: () => { x: Tensor; labels: Tensor };
  readonly logits: (x: Tensor) => Tensor;
  /** A parameter's value after the step in the case's layout: the variable itself unless it is transposed back. */
  readonly updated?: (name: P) => Tensor;
}

/**
 * One plain SGD step of softmax cross-entropy, timed as the case is: the batch uploaded, the loss
 * minimized and read back. The first step also reads back every updated parameter for the check.
 */
function sgdStepCase<P extends string>(tf: Tf, step: SgdStep<P>): PreparedCase {
  const optimizer = tf.train.sgd(step.learningRate);
  const names = Object.keys(step.params) as P[];
  const run = async (): Promise<NamedTensors> => {
    const { x, labels } = tf.tidy(step.batch);
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, step.logits(x)) as Scalar, true);
    if (!loss) throw new Error('tfjs returned no loss');
    const value = await loss.data();
    tf.dispose([x, labels, loss]);
    return { loss: { shape: [], data: toF32(value) } };
  };
  return {
    first: async () => {
      const out = await run();
      for (const name of names) {
        const value = step.updated?.(name) ?? step.params[name];
        out[`${name}_next`] = { shape: step.parameterShapes[name].shape, data: toF32(await value.data()) };
        if (value !== step.params[name]) value.dispose();
      }
      return out;
    },
    run: async () => void (await run()),
    dispose: () => {
      tf.dispose(Object.values(step.params));
      optimizer.dispose();
    },
  };
}
