/**
 * Hand-written optimizer updates in float64 for a linear model y = x·W + b under mean squared
 * error: the oracle for the compiled steps. Written from the update formulas (PyTorch's
 * definitions), sharing no code with compiler/optim.
 */
export interface RefConfig {
  readonly kind: 'sgd' | 'adam' | 'adamw' | 'rmsprop';
  readonly lr: (t: number) => number;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly alpha?: number;
  readonly centered?: boolean;
  readonly l1?: number;
  readonly l2?: number;
  readonly weightDecay?: number;
  readonly clipNorm?: number;
  readonly skipNonFinite?: boolean;
}

export interface Batch {
  readonly x: Float32Array; // [B, I]
  readonly y: Float32Array; // [B, O]
}

interface Slot {
  value: number[];
  readonly decay: boolean;
  readonly state: Record<string, number[]>;
}

/** Gradients of mean((xW + b − y)²) with respect to W [I, O] and b [O]. */
export function linearMseGradients(w: number[], b: number[], batch: Batch, inputs: number, outputs: number): { dw: number[]; db: number[]; loss: number } {
  const rows = batch.x.length / inputs;
  const dw = new Array<number>(inputs * outputs).fill(0);
  const db = new Array<number>(outputs).fill(0);
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outputs; o++) {
      let pred = b[o];
      for (let i = 0; i < inputs; i++) pred += batch.x[r * inputs + i] * w[i * outputs + o];
      const err = pred - batch.y[r * outputs + o];
      loss += err * err;
      const d = (2 * err) / (rows * outputs);
      db[o] += d;
      for (let i = 0; i < inputs; i++) dw[i * outputs + o] += d * batch.x[r * inputs + i];
    }
  }
  return { dw, db, loss: loss / (rows * outputs) };
}

/** Runs the steps; returns the final weight and bias. */
export function referenceTraining(config: RefConfig, w0: readonly number[], b0: readonly number[], batches: readonly Batch[], inputs: number, outputs: number): { w: number[]; b: number[] } {
  const slots: Slot[] = [
    { value: [...w0], decay: true, state: {} },
    { value: [...b0], decay: false, state: {} },
  ];
  batches.forEach((batch, t) => {
    const { dw, db } = linearMseGradients(slots[0].value, slots[1].value, batch, inputs, outputs);
    let grads = [dw, db];
    const norm = Math.sqrt(grads.flat().reduce((s, g) => s + g * g, 0));
    if (config.skipNonFinite && !Number.isFinite(norm)) return;
    if (config.clipNorm !== undefined) {
      const scale = Math.min(1, config.clipNorm / (norm + 1e-6));
      grads = grads.map((g) => g.map((v) => v * scale));
    }
    const lr = config.lr(t);
    slots.forEach((slot, k) => {
      const g = grads[k].map((v, i) => {
        let out = v;
        if (slot.decay && config.l2) out += config.l2 * slot.value[i];
        if (slot.decay && config.l1) out += config.l1 * Math.sign(slot.value[i]);
        return out;
      });
      const old = [...slot.value];
      const zeros = () => g.map(() => 0);
      const s = slot.state;
      let next: number[];
      if (config.kind === 'sgd') {
        const mu = config.momentum ?? 0;
        if (mu === 0) next = old.map((p, i) => p - lr * g[i]);
        else {
          s.buf = (s.buf ?? zeros()).map((bv, i) => mu * bv + g[i]);
          const d = config.nesterov ? g.map((gi, i) => gi + mu * s.buf[i]) : s.buf;
          next = old.map((p, i) => p - lr * d[i]);
        }
      } else if (config.kind === 'adam' || config.kind === 'adamw') {
        const b1 = config.beta1 ?? 0.9;
        const b2 = config.beta2 ?? 0.999;
        const eps = config.eps ?? 1e-8;
        s.m = (s.m ?? zeros()).map((m, i) => b1 * m + (1 - b1) * g[i]);
        s.v = (s.v ?? zeros()).map((v, i) => b2 * v + (1 - b2) * g[i] * g[i]);
        const c1 = 1 - b1 ** (t + 1);
        const c2 = 1 - b2 ** (t + 1);
        next = old.map((p, i) => p - (lr * (s.m[i] / c1)) / (Math.sqrt(s.v[i] / c2) + eps));
      } else {
        const alpha = config.alpha ?? 0.99;
        const eps = config.eps ?? 1e-8;
        s.sq = (s.sq ?? zeros()).map((v, i) => alpha * v + (1 - alpha) * g[i] * g[i]);
        let variance = s.sq;
        if (config.centered) {
          s.mean = (s.mean ?? zeros()).map((m, i) => alpha * m + (1 - alpha) * g[i]);
          variance = s.sq.map((v, i) => v - s.mean[i] * s.mean[i]);
        }
        const scaled = g.map((gi, i) => gi / (Math.sqrt(variance[i]) + eps));
        const mu = config.momentum ?? 0;
        if (mu === 0) next = old.map((p, i) => p - lr * scaled[i]);
        else {
          s.buf = (s.buf ?? zeros()).map((bv, i) => mu * bv + scaled[i]);
          next = old.map((p, i) => p - lr * s.buf[i]);
        }
      }
      if (slot.decay && config.weightDecay) next = next.map((p, i) => p - lr * config.weightDecay! * old[i]);
      slot.value = next;
    });
  });
  return { w: slots[0].value, b: slots[1].value };
}
