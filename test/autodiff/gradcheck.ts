import type { Attrs, DType, Graph, HostTensor, StaticShape } from '../../ir/index.js';
import { isFloat, numel } from '../../ir/index.js';
import { gradients } from '../../compiler/autodiff/index.js';
import { Trace } from '../../compiler/dsl/trace.js';
import type { Tensor } from '../../compiler/dsl/tensor.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { randomTensor, rng } from '../helpers/random.js';

/** One input of a gradient-check case. */
export interface InputSpec {
  readonly shape: StaticShape;
  readonly dtype?: DType;
  /** Range of random values (default [-2, 2]). */
  readonly lo?: number;
  readonly hi?: number;
  /** Keep |values| ≥ lo (for divisors): the sign is random. */
  readonly awayFromZero?: boolean;
  /** Fixed values instead of random ones (integer indices, bounds). */
  readonly values?: readonly number[];
}

export interface GradCase {
  readonly op: string;
  readonly label?: string;
  readonly inputs: readonly InputSpec[];
  readonly attrs?: Attrs;
}

export function caseName(c: GradCase): string {
  return c.label ? `${c.op} (${c.label})` : c.op;
}

export function caseInputs(c: GradCase, seed: number): HostTensor[] {
  return c.inputs.map((spec, i) => {
    const dtype = spec.dtype ?? 'f32';
    if (spec.values) {
      const t = randomTensor(dtype, spec.shape, 0);
      for (let k = 0; k < t.data.length; k++) t.data[k] = spec.values[k];
      return t;
    }
    const t = randomTensor(dtype, spec.shape, seed * 31 + i, spec.lo ?? -2, spec.hi ?? 2);
    if (spec.awayFromZero) {
      const coin = rng(seed * 17 + i);
      for (let k = 0; k < t.data.length; k++) t.data[k] = coin() < 0.5 ? -t.data[k] : t.data[k];
    }
    return t;
  });
}

/**
 * The scalar a case differentiates: Σ_k sum(out_k · R_k) with fixed random weights R_k, so every
 * output element contributes with a different weight (a plain sum would hide wrong layouts).
 */
export function buildCase(trace: Trace, c: GradCase, prefix: string): { inputs: Tensor[]; loss: Tensor } {
  const inputs = c.inputs.map((spec, i) => trace.input(`${prefix}in${i}`, spec.dtype ?? 'f32', spec.shape));
  const outs = trace.emit(c.op, inputs.map((t) => t.value), c.attrs ?? {});
  let loss: Tensor | null = null;
  outs.forEach((v, k) => {
    if (!isFloat(v.type.dtype)) return;
    const weights = randomTensor('f32', v.type.shape as number[], 1000 + k, -1, 1);
    const term = trace.wrap(v).mul(trace.constant(weights)).sum();
    loss = loss ? loss.add(term) : term;
  });
  if (!loss) throw new Error(`${caseName(c)}: no float output to differentiate`);
  return { inputs, loss };
}

/** A graph computing the case's loss and, as outputs `${prefix}d<i>`, its input gradients. */
export function gradientGraph(c: GradCase, trace = new Trace('gradcheck'), prefix = ''): Graph {
  const { inputs, loss } = buildCase(trace, c, prefix);
  trace.output(loss, `${prefix}loss`);
  const floats = inputs.filter((t) => isFloat(t.dtype));
  const grads = gradients(trace.graph, loss.value, floats.map((t) => t.value));
  floats.forEach((t, i) => {
    const g = grads[i];
    trace.output(g ? trace.wrap(g) : t.mul(0), `${prefix}d${inputs.indexOf(t)}`);
  });
  return trace.graph;
}

export interface Mismatch {
  readonly input: number;
  readonly element: number;
  readonly autodiff: number;
  readonly numeric: number;
}

/** Central differences in float64 against the autodiff gradients, also in float64. */
export function checkGradients(c: GradCase, seed = 1, h = 1e-5, tol = { rtol: 1e-5, atol: 1e-6 }): Mismatch[] {
  const values = caseInputs(c, seed);
  const feed = (vals: HostTensor[]) => Object.fromEntries(vals.map((t, i) => [`in${i}`, t]));
  const asF64 = values.map((t) => (isFloat(t.dtype) ? { ...t, data: Float64Array.from(t.data) } : t));

  const withGrads = gradientGraph(c);
  const analytic = interpret(withGrads, feed(asF64), { f64: true }).outputs;
  const lossTrace = new Trace('loss');
  lossTrace.output(buildCase(lossTrace, c, '').loss, 'loss');
  const lossAt = (vals: HostTensor[]) => Number(interpret(lossTrace.graph, feed(vals), { f64: true }).outputs.loss.data[0]);

  const bad: Mismatch[] = [];
  asF64.forEach((t, i) => {
    if (!isFloat(t.dtype)) return;
    const g = analytic[`d${i}`];
    for (let k = 0; k < numel(t.shape); k++) {
      const x0 = t.data[k];
      t.data[k] = x0 + h;
      const up = lossAt(asF64);
      t.data[k] = x0 - h;
      const down = lossAt(asF64);
      t.data[k] = x0;
      const numeric = (up - down) / (2 * h);
      const autodiff = Number(g.data[k]);
      if (!(Math.abs(numeric - autodiff) <= tol.atol + tol.rtol * Math.abs(numeric))) bad.push({ input: i, element: k, autodiff, numeric });
    }
  });
  return bad;
}
