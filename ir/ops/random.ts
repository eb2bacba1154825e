import type { DType } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { registerOp } from '../registry.js';
import type { Dim } from '../shape.js';
import { formatShape } from '../shape.js';
import type { TensorType } from '../tensor.js';

/**
 * Counter-based random numbers (Philox-4x32-10, ../philox.ts). Element i of the result is
 * word 0 of philox(counter = [i, salt, 0, 0], key = [key[0], key[1]]), where i is the element's
 * row-major index: the value depends only on (key, salt, i), never on how a kernel is
 * dispatched, so the reference interpreter and every GPU kernel produce the same bits.
 *
 * The key is a u32[2] tensor: typically (seed, step), so a training step draws fresh numbers
 * each step while a seeded run stays reproducible. `salt` separates streams drawn under one key
 * (two dropout layers of one step).
 */

function checkKey(key: TensorType, where: string): void {
  if (key.dtype !== 'u32') throw new DTypeError(`${where}: key has dtype ${key.dtype}, expected u32`);
  if (key.shape.length !== 1 || key.shape[0] !== 2) throw new ShapeError(`${where}: key has shape ${formatShape(key.shape)}, expected [2]`);
}

function checkShape(shape: readonly Dim[], where: string): void {
  if (shape.some((d) => typeof d === 'number' && (d < 0 || !Number.isInteger(d)))) throw new ShapeError(`${where}: invalid shape ${formatShape(shape)}`);
}

const SHAPED = { shape: { kind: 'dims' }, salt: { kind: 'int', default: 0 } } as const;

/** randomBits(key) → u32[shape]: the raw Philox word, for tests and integer sampling. */
registerOp({
  name: 'randomBits',
  category: 'injective',
  arity: [1, 1],
  attrs: SHAPED,
  infer([key], attrs, { where }) {
    checkKey(key, where);
    checkShape(attrs.shape as Dim[], where);
    return [{ dtype: 'u32' as DType, shape: [...(attrs.shape as Dim[])] }];
  },
});

/**
 * randomUniform(key) → f32[shape] in [low, high): u = (word >> 8) · 2^-24 is exact in f32 (so
 * `u < p` decides identically everywhere); low + (high - low)·u may round differently by one
 * ulp where a shader compiler fuses the multiply-add.
 */
registerOp({
  name: 'randomUniform',
  category: 'injective',
  arity: [1, 1],
  attrs: { ...SHAPED, low: { kind: 'float', default: 0 }, high: { kind: 'float', default: 1 } },
  infer([key], attrs, { where }) {
    checkKey(key, where);
    checkShape(attrs.shape as Dim[], where);
    if (!((attrs.high as number) > (attrs.low as number))) throw new ShapeError(`${where}: high ${attrs.high} must exceed low ${attrs.low}`);
    return [{ dtype: 'f32' as DType, shape: [...(attrs.shape as Dim[])] }];
  },
});
