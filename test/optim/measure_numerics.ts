/**
 * The measurements behind docs/optimizers.md (not a test: it prints markdown tables).
 *
 *   XDG_RUNTIME_DIR=/tmp/xdg-runtime-0 npx tsx test/optim/measure_numerics.ts
 *
 * 1. Ways to compute Adam's 1 − β^t, in float32 (emulated with Math.fround, which rounds like
 *    WGSL's correctly rounded + and ×), and the old and new ways on the GPU.
 * 2. Schedules: the old graphs (pow, cos of the device) and the new ones on the GPU.
 * 3. Training errors against float64: GPU, reference interpreter, float32 textbook, tfjs (CPU).
 * 4. RMSprop: PyTorch's √v + ε against tfjs's √(v + ε).
 */
import * as tf from '@tensorflow/tfjs';
import { hostTensor } from '../../ir/index.js';
import type { HostTensor } from '../../ir/index.js';
import { Trace } from '../../compiler/dsl/index.js';
import type { Tensor } from '../../compiler/dsl/index.js';
import { learningRate, schedules } from '../../compiler/optim/index.js';
import { oneMinusPowerAtStep } from '../../compiler/optim/step_powers.js';
import { runOnGpu } from '../helpers/gpu.js';
import { OPTIMIZER_CASES } from './cases.js';
import type { Checkpoints } from './training_runs.js';
import { excess, SHAPE, trainFloat32, trainFloat64, trainingData, trainOnGpu, trainOnReference } from './training_runs.js';
import type { Batch, Parameters, Schedule } from './textbook.js';
import { mlpGradients, PARAMETER_NAMES, scheduledRate } from './textbook.js';

const f = Math.fround;
const ULP = 2 ** -24;
const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const ulps = (got: number, exact: number) => Math.abs(got - exact) / Math.abs(exact) / ULP;

// 1. 1 − β^t ---------------------------------------------------------------------------------

/** Each method yields c_1, c_2, ... in order. */
const CORRECTIONS: Record<string, (beta: number) => (t: number) => number> = {
  '1 − pow(β, t), pow exact in f32 (tfjs-like)': (b) => (t) => f(1 - f(Math.pow(f(b), t))),
  'state d ← β·d, c = 1 − d (tfjs Adam)': (b) => {
    let d = 1;
    return () => ((d = f(f(b) * d)), f(1 - d));
  },
  'state c ← β·c + (1 − β)': (b) => {
    let c = 0;
    return () => (c = f(f(f(b) * c) + f(1 - b)));
  },
  'same, fused multiply-add': (b) => {
    let c = 0;
    return () => (c = f(f(b) * c + f(1 - b)));
  },
  'state c ← c + (1 − β)(1 − c)': (b) => {
    let c = 0;
    return () => (c = f(c + f(f(1 - b) * f(1 - c))));
  },
  'β^t as a double-float state (needs exact TwoProd/TwoSum)': (b) => {
    let hi = 1;
    let lo = 0;
    const bh = f(b);
    const bl = f(b - bh);
    return () => {
      const p = hi * bh; // exact in f64
      const ph = f(p);
      const s = f(p - ph + f(f(hi * bl) + f(lo * bh)));
      hi = f(ph + s);
      lo = f(s - f(hi - ph));
      return f(f(1 - hi) - lo);
    };
  },
  'log space: −expm1(t·ln β) by series, 1 − exp beyond ln 2': (b) => {
    const lb = f(Math.log(b));
    return (t) => {
      const x = f(f(t) * lb);
      if (x < -Math.LN2) return f(1 - f(Math.exp(x)));
      let r = f(1);
      for (let k = 12; k >= 2; k--) r = f(1 + f(f(x / k) * r));
      return f(-f(x * r));
    };
  },
  'tables by base-2048 digits (this code)': (b) => {
    const C = (e: number) => f(-Math.expm1(e * Math.log(b)));
    const P = (e: number) => f(Math.exp(e * Math.log(b)));
    return (t) => {
      const [d0, d1, d2] = [t % 2048, Math.floor(t / 2048) % 2048, Math.floor(t / 2048 ** 2)];
      const c = f(C(d1 * 2048) + f(P(d1 * 2048) * C(d0)));
      return f(C(d2 * 2048 ** 2) + f(P(d2 * 2048 ** 2) * c));
    };
  },
};

const T_MAX = 100_000;
const MARKS = [1, 10, 100, 1000, 10_000, 100_000];

async function onGpu(steps: number[], build: (t: Tensor) => Tensor): Promise<HostTensor> {
  const trace = new Trace('measure');
  trace.output(build(trace.input('t', 'u32', [steps.length])), 'value');
  return (await runOnGpu(trace.graph, { t: hostTensor('u32', [steps.length], steps) })).value;
}

async function corrections(): Promise<string> {
  const out: string[] = [];
  const steps = Array.from({ length: T_MAX }, (_, i) => i + 1);
  for (const beta of [0.9, 0.999, 0.9999]) {
    const exact = (t: number) => -Math.expm1(t * Math.log(beta));
    const rows: string[][] = [];
    const row = (name: string, at: (t: number) => number) => {
      let worst = 0;
      let where = 0;
      for (const t of steps) {
        const e = ulps(at(t), exact(t));
        if (e > worst) [worst, where] = [e, t];
      }
      rows.push([name, ...MARKS.map((t) => ulps(at(t), exact(t)).toFixed(1)), `${worst.toFixed(1)} (t = ${where})`]);
    };
    for (const [name, method] of Object.entries(CORRECTIONS)) {
      const next = method(beta);
      const values = steps.map((t) => next(t));
      row(name, (t) => values[t - 1]);
    }
    // The old graph: count.lift(β).pow(count).neg().add(1), count = f32(step + 1).
    const old = await onGpu(steps, (t) => {
      const count = t.cast('f32');
      return count.lift(beta).pow(count).neg().add(1);
    });
    row('GPU: old `1 − pow(β, t)` (Dawn on lavapipe)', (t) => Number(old.data[t - 1]));
    const fresh = await onGpu(steps, (t) => oneMinusPowerAtStep(beta, t));
    row('GPU: tables (this code)', (t) => Number(fresh.data[t - 1]));
    out.push(`β = ${beta}: |c − c64|/c64 in units of 2^-24\n\n${table(['method', ...MARKS.map((t) => `t=${t}`), 'max, t ≤ 1e5'], rows)}`);
  }
  return out.join('\n\n');
}

// 2. Schedules --------------------------------------------------------------------------------

async function scheduleErrors(): Promise<string> {
  const rows: string[][] = [];
  const measure = async (name: string, last: number, textbook: Schedule, build: (t: Tensor) => Tensor) => {
    const steps = Array.from({ length: Math.min(last, 20_000) + 1 }, (_, i) => Math.round((i * last) / Math.min(last, 20_000)));
    const got = await onGpu(steps, build);
    let worst = 0;
    let where = 0;
    steps.forEach((t, i) => {
      const exact = scheduledRate(textbook, t);
      if (exact < 2 ** -126) return;
      const e = ulps(Number(got.data[i]), exact);
      if (e > worst) [worst, where] = [e, t];
    });
    rows.push([name, `${worst.toFixed(1)} (t = ${where})`]);
  };
  const f32Step = (t: Tensor) => t.cast('f32');
  const cases: [string, number, Schedule, (t: Tensor) => Tensor, (t: Tensor) => Tensor][] = [
    [
      'step decay 0.1·0.9^⌊t/25⌋',
      20_000,
      { kind: 'step', lr: 0.1, stepSize: 25, gamma: 0.9 },
      (t) => f32Step(t).lift(0.9).pow(f32Step(t).div(25).floor()).mul(0.1),
      (t) => learningRate(schedules.step(0.1, 25, 0.9), t),
    ],
    [
      'exponential 0.01·0.5^(t/1000)',
      100_000,
      { kind: 'exponential', lr: 0.01, gamma: 0.5, every: 1000 },
      (t) => f32Step(t).lift(0.5).pow(f32Step(t).div(1000)).mul(0.01),
      (t) => learningRate(schedules.exponential(0.01, 0.5, 1000), t),
    ],
    [
      'exponential 0.1·0.999^t',
      20_000,
      { kind: 'exponential', lr: 0.1, gamma: 0.999, every: 1 },
      (t) => f32Step(t).lift(0.999).pow(f32Step(t)).mul(0.1),
      (t) => learningRate(schedules.exponential(0.1, 0.999, 1), t),
    ],
    [
      'cosine 0.1 → 0 over 1e5',
      100_000,
      { kind: 'cosine', lr: 0.1, totalSteps: 100_000, minLr: 0 },
      (t) => f32Step(t).minimum(100_000).div(100_000).mul(Math.PI).cos().add(1).mul(0.05),
      (t) => learningRate(schedules.cosine(0.1, 100_000), t),
    ],
    [
      'warm-up 1000 into 0.1',
      2000,
      { kind: 'warmup', warmupSteps: 1000, then: { kind: 'constant', lr: 0.1 } },
      (t) => f32Step(t).add(1).div(1000).minimum(1).mul(0.1),
      (t) => learningRate(schedules.warmup(1000, 0.1), t),
    ],
  ];
  for (const [name, last, textbook, old, fresh] of cases) {
    await measure(`${name}: old graph`, last, textbook, old);
    await measure(`${name}: this code`, last, textbook, fresh);
  }
  return table(['schedule (GPU, Dawn on lavapipe)', 'max |lr − lr64|/lr64, units of 2^-24'], rows);
}

// 3. Training ---------------------------------------------------------------------------------

const AT = [1, 10, 100];

/** tfjs (CPU backend, float32) trains the same MLP from the same parameters, end to end. */
function trainTfjs(make: () => tf.Optimizer, initial: Parameters, batches: readonly Batch[], at: readonly number[]): Checkpoints {
  const shapes: Record<string, number[]> = {
    'layers.0.weight': [SHAPE.inputs, SHAPE.hidden],
    'layers.0.bias': [SHAPE.hidden],
    'layers.1.weight': [SHAPE.hidden, SHAPE.outputs],
    'layers.1.bias': [SHAPE.outputs],
  };
  const vars = Object.fromEntries(PARAMETER_NAMES.map((n) => [n, tf.variable(tf.tensor(initial[n], shapes[n]), true, `p${Math.random()}`)]));
  const optimizer = make();
  const out: Checkpoints = new Map();
  batches.forEach((batch, s) => {
    const x = tf.tensor2d(batch.x, [SHAPE.batch, SHAPE.inputs]);
    const y = tf.tensor2d(batch.y, [SHAPE.batch, SHAPE.outputs]);
    tf.tidy(() => {
      optimizer.minimize(() => {
        const h = x.matMul(vars['layers.0.weight']).add(vars['layers.0.bias']);
        const pred = h.matMul(vars['layers.1.weight']).add(vars['layers.1.bias']);
        return pred.sub(y).square().mean() as tf.Scalar;
      });
    });
    tf.dispose([x, y]);
    if (at.includes(s + 1)) out.set(s + 1, Object.fromEntries(PARAMETER_NAMES.map((n) => [n, [...vars[n].dataSync()]])));
  });
  optimizer.dispose();
  Object.values(vars).forEach((v) => v.dispose());
  return out;
}

const TFJS: Record<string, () => tf.Optimizer> = {
  sgd: () => tf.train.sgd(0.01),
  'sgd, momentum': () => tf.train.momentum(0.005, 0.9),
  'sgd, Nesterov': () => tf.train.momentum(0.005, 0.9, true),
  adam: () => tf.train.adam(0.01, 0.9, 0.999, 1e-8),
};

async function trainingErrors(): Promise<string> {
  const { initial, batches } = trainingData(100);
  const rows: string[][] = [];
  for (const c of OPTIMIZER_CASES) {
    const exact = trainFloat64(c.textbook, initial, batches, AT);
    const runs: [string, Checkpoints][] = [
      ['GPU', await trainOnGpu(c.optimizer, initial, batches, AT)],
      ['reference', trainOnReference(c.optimizer, initial, batches, AT)],
      ['f32 textbook', trainFloat32(c.textbook, initial, batches, AT)],
    ];
    if (TFJS[c.name]) runs.push(['tfjs (CPU)', trainTfjs(TFJS[c.name], initial, batches, AT)]);
    runs.forEach(([who, run], k) => {
      const cells = AT.map((s) => {
        const e = excess(run.get(s)!, exact, s, 1e-6);
        return `${Math.max(0, e.ulps).toFixed(1)} / ${e.ofPath.toExponential(1)}`;
      });
      rows.push([k === 0 ? c.name : '', who, ...cells]);
    });
  }
  // Adam's first update, every element, relative to float64's.
  const adam = OPTIMIZER_CASES.find((c) => c.name === 'adam')!;
  const exact = trainFloat64(adam.textbook, initial, batches, [1]).params.get(1)!;
  const firstUpdate = (run: Checkpoints) => {
    let ofUpdate = 0;
    let ofParameter = 0;
    for (const n of PARAMETER_NAMES) {
      exact[n].forEach((e, i) => {
        const err = Math.abs(run.get(1)![n][i] - e);
        ofUpdate = Math.max(ofUpdate, err / Math.abs(e - initial[n][i]));
        ofParameter = Math.max(ofParameter, err / Math.abs(e));
      });
    }
    return `${ofParameter.toExponential(1)} of the parameter, ${ofUpdate.toExponential(1)} of the update`;
  };
  const first = [
    `GPU: ${firstUpdate(await trainOnGpu(adam.optimizer, initial, batches.slice(0, 1), [1]))}`,
    `reference: ${firstUpdate(trainOnReference(adam.optimizer, initial, batches.slice(0, 1), [1]))}`,
    `tfjs: ${firstUpdate(trainTfjs(TFJS.adam, initial, batches.slice(0, 1), [1]))}`,
  ];
  const head = ['case', 'run', ...AT.map((s) => `step ${s}: ulps needed / max err÷path`)];
  return `${table(head, rows)}\n\nAdam's first update, worst element (lr 0.01, parameters ~U(−0.5, 0.5)): ${first.join('; ')}`;
}

// 4. RMSprop: √v + ε (PyTorch, here) against √(v + ε) (tfjs) ----------------------------------

function rmspropFloat64(initial: Parameters, batches: readonly Batch[], lr: number, alpha: number, eps: number, inside: boolean): Parameters {
  let p: Parameters = Object.fromEntries(PARAMETER_NAMES.map((n) => [n, [...initial[n]]]));
  const v: Parameters = Object.fromEntries(PARAMETER_NAMES.map((n) => [n, initial[n].map(() => 0)]));
  for (const batch of batches) {
    const g = mlpGradients(SHAPE, p, batch);
    p = Object.fromEntries(
      PARAMETER_NAMES.map((n) => [
        n,
        p[n].map((pi, i) => {
          v[n][i] = alpha * v[n][i] + (1 - alpha) * g[n][i] ** 2;
          return pi - (lr * g[n][i]) / (inside ? Math.sqrt(v[n][i] + eps) : Math.sqrt(v[n][i]) + eps);
        }),
      ]),
    );
  }
  return p;
}

/** Targets at the initial outputs plus noise of `size`: the residuals, and so the gradients, are ~size. */
function nearFit(initial: Parameters, batches: readonly Batch[], size: number): Batch[] {
  return batches.map((b, s) => {
    const y = new Float32Array(b.y.length);
    for (let r = 0; r < SHAPE.batch; r++) {
      for (let o = 0; o < SHAPE.outputs; o++) {
        let out = initial['layers.1.bias'][o];
        for (let j = 0; j < SHAPE.hidden; j++) {
          let h = initial['layers.0.bias'][j];
          for (let i = 0; i < SHAPE.inputs; i++) h += b.x[r * SHAPE.inputs + i] * initial['layers.0.weight'][i * SHAPE.hidden + j];
          out += h * initial['layers.1.weight'][j * SHAPE.outputs + o];
        }
        y[r * SHAPE.outputs + o] = out + size * Math.sin(1 + s * 7 + r * 3 + o);
      }
    }
    return { x: b.x, y };
  });
}

function rmspropForms(): string {
  const rows: string[][] = [];
  const { initial, batches } = trainingData(60);
  for (const data of [batches, nearFit(initial, batches, 1), nearFit(initial, batches, 1e-1), nearFit(initial, batches, 1e-2)]) {
    const g = mlpGradients(SHAPE, initial, data[0]);
    const typical = Math.sqrt(PARAMETER_NAMES.reduce((acc, n) => acc + g[n].reduce((a, v) => a + v * v, 0), 0) / PARAMETER_NAMES.reduce((a, n) => a + g[n].length, 0));
    for (const eps of [1e-8, 1e-7]) {
      const here = rmspropFloat64(initial, data, 0.002, 0.99, eps, false);
      const tfjsForm = rmspropFloat64(initial, data, 0.002, 0.99, eps, true);
      let apart = 0;
      let moved = 0;
      for (const n of PARAMETER_NAMES) {
        here[n].forEach((h, i) => {
          apart += (h - tfjsForm[n][i]) ** 2;
          moved += (h - initial[n][i]) ** 2;
        });
      }
      rows.push([typical.toExponential(1), String(eps), Math.sqrt(apart / moved).toExponential(1)]);
    }
  }
  return table(['rms gradient at step 1', 'ε', '‖Δp_here − Δp_tfjs‖ / ‖Δp_here‖ after 60 steps (float64, α = 0.99, lr 0.002)'], rows);
}

await tf.setBackend('cpu');
console.log(`## 1 − β^t\n\n${await corrections()}\n`);
console.log(`## Schedules\n\n${await scheduleErrors()}\n`);
console.log(`## Training, 100 steps\n\n${await trainingErrors()}\n`);
console.log(`## RMSprop forms\n\n${rmspropForms()}\n`);
