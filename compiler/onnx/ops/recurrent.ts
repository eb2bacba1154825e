import type { Value } from '../../../ir/index.js';
import { ShapeError, UnsupportedOpError } from '../../../ir/index.js';
import type { ImportContext, OnnxNodeView } from '../context.js';
import { defineOnnxOps } from './table.js';
import { input, staticDim } from './util.js';

/**
 * RNN, GRU and LSTM, unrolled over their (static) sequence length. The input projection of
 * every step is one matmul over the whole sequence; each step then adds its recurrent matmul
 * and applies the gates. Per ONNX, W is [dirs, gates·H, I], R is [dirs, gates·H, H], B is
 * [dirs, 2·gates·H] (input biases, then recurrent ones); gate order: GRU z r h, LSTM i o f c.
 */

type Activation = (ctx: ImportContext, x: Value) => Value;

const MAX_UNROLLED_STEPS = 4096;

/** An ONNX recurrent activation by name, taking its alpha/beta from the node's lists. */
function activation(node: OnnxNodeView, name: string, alpha: number | undefined, beta: number | undefined): Activation {
  const scalar = (ctx: ImportContext, v: number) => ctx.scalar(v, 'f32');
  switch (name.toLowerCase()) {
    case 'tanh':
      return (ctx, x) => ctx.op('tanh', [x]);
    case 'sigmoid':
      return (ctx, x) => ctx.op('sigmoid', [x]);
    case 'relu':
      return (ctx, x) => ctx.op('relu', [x]);
    case 'softsign':
      return (ctx, x) => ctx.op('softsign', [x]);
    case 'softplus':
      return (ctx, x) => ctx.op('softplus', [x]);
    case 'leakyrelu':
      return (ctx, x) => ctx.op('leakyRelu', [x], { alpha: alpha ?? 0.01 });
    case 'thresholdedrelu':
      return (ctx, x) => ctx.op('thresholdedRelu', [x], { alpha: alpha ?? 1 });
    case 'elu':
      return (ctx, x) => ctx.op('elu', [x], { alpha: alpha ?? 1 });
    case 'hardsigmoid':
      return (ctx, x) => ctx.op('hardSigmoid', [x], { alpha: alpha ?? 0.2, beta: beta ?? 0.5 });
    case 'affine':
      return (ctx, x) => ctx.op('add', [ctx.op('mul', [x, scalar(ctx, alpha ?? 1)]), scalar(ctx, beta ?? 0)]);
    case 'scaledtanh':
      return (ctx, x) => ctx.op('mul', [ctx.op('tanh', [ctx.op('mul', [x, scalar(ctx, beta ?? 1)])]), scalar(ctx, alpha ?? 1)]);
    default:
      throw new UnsupportedOpError(`${node.where}: activation '${name}' is not supported`);
  }
}

/** The node's activations per direction (`perDirection` names each), with defaults. */
function activations(node: OnnxNodeView, defaults: readonly string[], directions: number): Activation[][] {
  const names = node.attrs.strings('activations', []);
  const alphas = node.attrs.floats('activation_alpha', []);
  const betas = node.attrs.floats('activation_beta', []);
  const list = names.length ? names : Array.from({ length: directions }, () => defaults).flat();
  if (list.length !== defaults.length * directions) throw new ShapeError(`${node.where}: expected ${defaults.length * directions} activations, got ${list.length}`);
  let a = 0;
  let b = 0;
  const fns = list.map((name) => {
    const takesAlpha = ['leakyrelu', 'thresholdedrelu', 'elu', 'hardsigmoid', 'affine', 'scaledtanh'].includes(name.toLowerCase());
    const takesBeta = ['hardsigmoid', 'affine', 'scaledtanh'].includes(name.toLowerCase());
    return activation(node, name, takesAlpha ? alphas[a++] : undefined, takesBeta ? betas[b++] : undefined);
  });
  return Array.from({ length: directions }, (_, d) => fns.slice(d * defaults.length, (d + 1) * defaults.length));
}

interface Recurrence {
  readonly node: OnnxNodeView;
  readonly ctx: ImportContext;
  readonly hidden: number;
  readonly batch: number;
  readonly clip: number | undefined;
}

/** Slice `index` of `count` equal parts along the last axis. */
function gate(ctx: ImportContext, v: Value, index: number, hidden: number): Value {
  const axis = v.type.shape.length - 1;
  return ctx.op('slice', [v], { starts: [index * hidden], ends: [(index + 1) * hidden], axes: [axis], steps: [1] });
}

function clipped(r: Recurrence, v: Value): Value {
  if (r.clip === undefined) return v;
  return r.ctx.op('clip', [v, r.ctx.scalar(-r.clip, 'f32'), r.ctx.scalar(r.clip, 'f32')]);
}

/** One direction's weights: W and R transposed to [in, gates·H], the two biases summed. */
function directionWeights(r: Recurrence, d: number, gates: number) {
  const { ctx, node, hidden } = r;
  const pick = (v: Value) => ctx.op('squeeze', [ctx.op('slice', [v], { starts: [d], ends: [d + 1], axes: [0], steps: [1] })], { axes: [0] });
  const w = ctx.op('transpose', [pick(input(node, 1))], { perm: [1, 0] });
  const rT = ctx.op('transpose', [pick(input(node, 2))], { perm: [1, 0] });
  const b = node.inputs[3] ? pick(node.inputs[3]) : undefined;
  const size = gates * hidden;
  const wb = b && ctx.op('slice', [b], { starts: [0], ends: [size], axes: [0], steps: [1] });
  const rb = b && ctx.op('slice', [b], { starts: [size], ends: [2 * size], axes: [0], steps: [1] });
  return { w, r: rT, wb, rb };
}

function initialState(r: Recurrence, index: number, d: number): Value {
  const v = r.node.inputs[index];
  if (!v) return r.ctx.op('fill', [], { shape: [r.batch, r.hidden], value: 0, dtype: 'f32' });
  return r.ctx.op('squeeze', [r.ctx.op('slice', [v], { starts: [d], ends: [d + 1], axes: [0], steps: [1] })], { axes: [0] });
}

/** Steps of one direction; `cell` maps (x projection, state) to the new state (h first). */
function runDirection(r: Recurrence, xw: Value, steps: number, reverse: boolean, state: Value[], cell: (x: Value, state: Value[]) => Value[]): { ys: Value[]; last: Value[] } {
  const ys = new Array<Value>(steps);
  for (let k = 0; k < steps; k++) {
    const t = reverse ? steps - 1 - k : k;
    const xt = r.ctx.op('squeeze', [r.ctx.op('slice', [xw], { starts: [t], ends: [t + 1], axes: [0], steps: [1] })], { axes: [0] });
    state = cell(xt, state);
    ys[t] = state[0];
  }
  return { ys, last: state };
}

type CellBuilder = (r: Recurrence, weights: ReturnType<typeof directionWeights>, acts: Activation[], d: number) => (x: Value, state: Value[]) => Value[];

function recurrent(gates: number, defaults: readonly string[], stateInputs: readonly number[], buildCell: CellBuilder) {
  return (node: OnnxNodeView, ctx: ImportContext): Value[] => {
    const layout = node.attrs.int('layout', 0);
    let x = input(node, 0);
    if (layout === 1) x = ctx.op('transpose', [x], { perm: [1, 0, 2] });
    const steps = staticDim(node, x, 0);
    // Unrolled: every step is a dozen nodes.
    if (steps > MAX_UNROLLED_STEPS) throw new UnsupportedOpError(`${node.where}: a sequence of ${steps} steps is longer than the ${MAX_UNROLLED_STEPS} unrolled at import`);
    const batch = staticDim(node, x, 1);
    const hidden = node.attrs.int('hidden_size');
    const direction = node.attrs.string('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw new UnsupportedOpError(`${node.where}: direction '${direction}' is not supported`);
    const lens = node.inputs[4] ? ctx.constValues(node, 4, 'sequence_lens') : [];
    if (lens.some((l) => l !== steps)) throw new UnsupportedOpError(`${node.where}: sequence_lens shorter than the sequence are not supported`);
    const clip = node.attrs.has('clip') ? node.attrs.float('clip') : undefined;
    const r: Recurrence = { node, ctx, hidden, batch, clip };
    const directions = direction === 'bidirectional' ? 2 : 1;
    const acts = activations(node, defaults, directions);
    const ys: Value[] = [];
    const lasts: Value[][] = [];
    for (let d = 0; d < directions; d++) {
      const weights = directionWeights(r, d, gates);
      let xw = ctx.op('matmul', [x, weights.w]);
      if (weights.wb) xw = ctx.op('add', [xw, ctx.op('add', [weights.wb, weights.rb!])]);
      const state = stateInputs.map((i) => initialState(r, i, d));
      const run = runDirection(r, xw, steps, direction === 'reverse' || d === 1, state, buildCell(r, weights, acts[d], d));
      // Y for this direction: [steps, 1, batch, hidden].
      ys.push(ctx.op('concat', run.ys.map((h) => ctx.op('unsqueeze', [h], { axes: [0, 1] })), { axis: 0 }));
      lasts.push(run.last);
    }
    let y = directions === 1 ? ys[0] : ctx.op('concat', ys, { axis: 1 });
    const finals = stateInputs.map((_, s) => {
      const per = lasts.map((l) => ctx.op('unsqueeze', [l[s]], { axes: [0] }));
      const v = per.length === 1 ? per[0] : ctx.op('concat', per, { axis: 0 });
      return layout === 1 ? ctx.op('transpose', [v], { perm: [1, 0, 2] }) : v;
    });
    if (layout === 1) y = ctx.op('transpose', [y], { perm: [2, 0, 1, 3] });
    return [y, ...finals];
  };
}

/** Recurrent projection h·Rᵀ (+ its bias when only the recurrent part needs it). */
const project = (ctx: ImportContext, h: Value, rT: Value) => ctx.op('matmul', [h, rT]);

const rnnCell: CellBuilder = (r, wt, [f]) => (x, [h]) => [f(r.ctx, clipped(r, r.ctx.op('add', [x, project(r.ctx, h, wt.r)])))];

const gruCell: CellBuilder = (r, wt, [f, g]) => {
  const { ctx, hidden } = r;
  const linearBeforeReset = r.node.attrs.int('linear_before_reset', 0) !== 0;
  // x already holds Wb + Rb for all gates; the h gate's Rb must sit inside r ⊙ (…) when
  // linear_before_reset, so it is taken back out of x and added there.
  const rbh = wt.rb && gate(ctx, wt.rb, 2, hidden);
  const rh = gate(ctx, wt.r, 2, hidden);
  const rzr = ctx.op('slice', [wt.r], { starts: [0], ends: [2 * hidden], axes: [1], steps: [1] });
  return (x, [h]) => {
    const hz = project(ctx, h, rzr);
    const z = f(ctx, clipped(r, ctx.op('add', [gate(ctx, x, 0, hidden), gate(ctx, hz, 0, hidden)])));
    const reset = f(ctx, clipped(r, ctx.op('add', [gate(ctx, x, 1, hidden), gate(ctx, hz, 1, hidden)])));
    let xh = gate(ctx, x, 2, hidden);
    let recurrentPart: Value;
    if (linearBeforeReset) {
      if (rbh) xh = ctx.op('sub', [xh, rbh]);
      const hr = project(ctx, h, rh);
      recurrentPart = ctx.op('mul', [reset, rbh ? ctx.op('add', [hr, rbh]) : hr]);
    } else recurrentPart = project(ctx, ctx.op('mul', [reset, h]), rh);
    const candidate = g(ctx, clipped(r, ctx.op('add', [xh, recurrentPart])));
    const one = ctx.scalar(1, 'f32');
    return [ctx.op('add', [ctx.op('mul', [ctx.op('sub', [one, z]), candidate]), ctx.op('mul', [z, h])])];
  };
};

const lstmCell: CellBuilder = (r, wt, [f, g, hAct], d) => {
  const { ctx, node, hidden } = r;
  if (node.attrs.int('input_forget', 0) !== 0) throw new UnsupportedOpError(`${node.where}: input_forget=1 is not supported`);
  const peep = node.inputs[7] && ctx.op('squeeze', [ctx.op('slice', [node.inputs[7]], { starts: [d], ends: [d + 1], axes: [0], steps: [1] })], { axes: [0] });
  const [pi, po, pf] = [0, 1, 2].map((k) => peep && gate(ctx, peep, k, hidden));
  return (x, [h, c]) => {
    const pre = ctx.op('add', [x, project(ctx, h, wt.r)]);
    const withPeep = (k: number, p: Value | undefined, cell: Value) => clipped(r, p ? ctx.op('add', [gate(ctx, pre, k, hidden), ctx.op('mul', [p, cell])]) : gate(ctx, pre, k, hidden));
    const i = f(ctx, withPeep(0, pi, c));
    const fg = f(ctx, withPeep(2, pf, c));
    const candidate = g(ctx, clipped(r, gate(ctx, pre, 3, hidden)));
    const cNext = ctx.op('add', [ctx.op('mul', [fg, c]), ctx.op('mul', [i, candidate])]);
    const o = f(ctx, withPeep(1, po, cNext));
    return [ctx.op('mul', [o, hAct(ctx, cNext)]), cNext];
  };
};

defineOnnxOps({
  RNN: recurrent(1, ['Tanh'], [5], rnnCell),
  GRU: recurrent(3, ['Sigmoid', 'Tanh'], [5], gruCell),
  LSTM: recurrent(4, ['Sigmoid', 'Tanh', 'Tanh'], [5, 6], lstmCell),
});
