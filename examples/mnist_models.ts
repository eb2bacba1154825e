import { nn } from '../index.js';
import type { Module } from '../index.js';

export const PIXELS = 28 * 28;

/** The MNIST MLP: 784-256-10. */
export function mnistMlp(): Module {
  return new nn.Sequential(new nn.Linear(PIXELS, 256), nn.ReLU(), new nn.Linear(256, 10));
}

/**
 * The MNIST CNN. Strided convolutions instead of pooling: as accurate here, and their gradients
 * run through the tiled conv templates while pooling's backward is still a generic kernel.
 * `dropout` 0 leaves the dropout layer out.
 */
export function mnistCnn(dropout = 0.25, classes = 10): Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 5, { stride: 2, padding: 2 }),
    nn.ReLU(),
    new nn.Conv2d(8, 16, 3, { stride: 2, padding: 1 }),
    nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(16 * 7 * 7, 64),
    nn.ReLU(),
    ...(dropout > 0 ? [new nn.Dropout(dropout)] : []),
    new nn.Linear(64, classes),
  );
}
