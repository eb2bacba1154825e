import { hostTensor, UsageError } from '../../ir/index.js';
import type { Tensor } from '../dsl/tensor.js';

/**
 * base^t and 1 − base^t for the integer step t (a u32 tensor of any shape), within 3 and 2 ulp
 * of float32 for every t < 2^32, computed on the device by table lookups and a few multiply-adds.
 *
 * Why not `pow(base, t)`: WGSL's pow is exp2(t·log2 base), and log2 near 1 is only required to
 * be within 2^-21 absolutely, so base^t is off by t·2^-21 relatively; `1 − base^t` then
 * multiplies that by 1/(1 − base) (Adam's β2 = 0.999: pow(0.999, 1) gave 0.99899989, making
 * the first update 5e-5 too large). Even an exact f32 pow cancels: f32(0.999) is 1.3e-8 off,
 * 1.3e-5 relative to 1 − 0.999. A state updated by c ← β·c + (1 − β) stalls below 1 (500 ulp
 * at t = 37k for β = 0.999). docs/optimizers.md has the measurements.
 *
 * Here t is split into base-2048 digits t = d0 + d1·2048 + d2·2048², and the host tabulates,
 * in float64 and rounded once to f32, P_k[d] = base^(d·2048^k) and C_k[d] = 1 − base^(d·2048^k)
 * (the latter through expm1, without cancellation). Then
 *   base^t     = P2[d2] · P1[d1] · P0[d0]
 *   1 − base^t = C2[d2] + P2[d2]·(C1[d1] + P1[d1]·C0[d0])
 * Every term of the second form is non-negative for 0 ≤ base < 1, so nothing cancels: each is
 * exact to 0.5 ulp and the few roundings add up to < 2 ulp (t < 2048: the table entry itself,
 * correctly rounded). Tables stop where the value saturates (base^e is 0, or 1 − base^e is 1,
 * in f32): for β2 = 0.999 that is 2048 + 2·10 floats; for β1 = 0.9, 173.
 *
 * Only gathers, integer shifts/masks/min and f32 adds/multiplies: the same in WGSL and the reference
 * interpreter, no transcendental function of the device, no state, so a restored checkpoint's
 * step counter gives the same values.
 */

const DIGIT_BITS = 11;
const DIGIT = 1 << DIGIT_BITS;
/** A u32 step has at most this many base-2048 digits (2048^3 > 2^32). */
const MAX_LEVELS = 3;
/** 2^-26: 1 − x for smaller x rounds to 1 in f32, and x·anything ≤ 1 vanishes beside 1. */
const NEGLIGIBLE = 2 ** -26;

type Kind = 'power' | 'complement';

/** base^(t/per) for the u32 step tensor t (base > 0, per ≥ 1; 1 at t = 0). */
export function powerAtStep(base: number, t: Tensor, per = 1): Tensor {
  if (!(base > 0) || !Number.isFinite(base)) throw new UsageError(`a power of the step needs a finite positive base, got ${base}`);
  if (!(per >= 1) || !Number.isFinite(per)) throw new UsageError(`a power of the step needs a period of at least 1 step, got ${per}`);
  if (base === 1) return t.trace.wrap(t.trace.scalar(1)).expand(t.shape);
  let power: Tensor | null = null;
  for (const [k, level] of tableLevels('power', Math.log(base) / per).entries()) {
    const p = lookup(level.power, digitAt(t, k, level));
    power = power ? p.mul(power) : p;
  }
  return power!;
}

/** 1 − base^t for the u32 step tensor t (0 ≤ base < 1), without cancellation. */
export function oneMinusPowerAtStep(base: number, t: Tensor): Tensor {
  if (!(base >= 0 && base < 1)) throw new UsageError(`1 − base^step needs a base in [0, 1), got ${base}`);
  let complement: Tensor | null = null;
  for (const [k, level] of tableLevels('complement', Math.log(base)).entries()) {
    const digit = digitAt(t, k, level);
    const c = lookup(level.complement, digit);
    // C_k + P_k·(lower levels): a sum of non-negative terms.
    complement = complement ? c.add(lookup(level.power, digit).mul(complement)) : c;
  }
  return complement!;
}

/** Digit k of t in base 2048; the top level's is clamped to its last entry, the saturated value. */
function digitAt(t: Tensor, k: number, level: Level): Tensor {
  if (t.dtype !== 'u32') throw new UsageError(`the step must be a u32 tensor, got ${t}`);
  const shifted = k === 0 ? t : t.apply('shiftRight', [k * DIGIT_BITS]);
  return level.top ? shifted.minimum(level.length - 1) : shifted.apply('bitwiseAnd', [DIGIT - 1]);
}

function lookup(table: Float64Array, digit: Tensor): Tensor {
  return digit.trace.constant(hostTensor('f32', [table.length], table)).gather(digit);
}

interface Level {
  readonly top: boolean;
  readonly length: number;
  readonly power: Float64Array;
  readonly complement: Float64Array;
}

/**
 * The f64 tables of exp(e·rate) and −expm1(e·rate) (rate = ln base, e = d·2048^k), lowest digit
 * first; a level that saturates within 2048 entries is the top. Both from the exponent, so a
 * period `per` costs no rounding of base^(1/per), which t up to 2^32 would magnify.
 */
function tableLevels(kind: Kind, rate: number): Level[] {
  const levels: Level[] = [];
  for (let k = 0; k < MAX_LEVELS; k++) {
    const unit = DIGIT ** k;
    // The top level's digit ranges over what is left of a u32: 2^32 / 2048^k values.
    const room = k === MAX_LEVELS - 1 ? Math.ceil(2 ** 32 / unit) : DIGIT;
    let length = Math.min(room, DIGIT);
    let saturated = false;
    for (let d = 1; d < length; d++) {
      if (isSaturated(kind, d * unit * rate)) {
        length = d + 1;
        saturated = true;
        break;
      }
    }
    const power = new Float64Array(length);
    const complement = new Float64Array(length);
    for (let d = 0; d < length; d++) {
      // d = 0 apart: base 0 has rate −∞, and 0·−∞ is NaN.
      const exponent = d === 0 ? 0 : d * unit * rate;
      const last = saturated && d === length - 1 && kind === 'complement';
      power[d] = last ? 0 : Math.exp(exponent);
      complement[d] = last ? 1 : -Math.expm1(exponent);
    }
    const top = saturated || k === MAX_LEVELS - 1;
    levels.push({ top, length, power, complement });
    if (top) break;
  }
  return levels;
}

function isSaturated(kind: Kind, exponent: number): boolean {
  const value = Math.exp(exponent);
  if (kind === 'complement') return value < NEGLIGIBLE;
  return Math.fround(value) === 0 || !Number.isFinite(Math.fround(value));
}
