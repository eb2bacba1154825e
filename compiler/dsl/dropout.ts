import type { Attrs, DType, Value } from '../../ir/index.js';

/**
 * Inverted dropout, written once for both front-ends: `nn.Dropout` and ONNX Dropout imported
 * for training (compiler/onnx/ops/constants.ts). In training each element is kept where a
 * uniform draw of the run's random stream (`randomUniform` of the key, one salt per dropout) is
 * at least p, and scaled by 1/(1 − p); the others are 0. In evaluation, or with p = 0, it is the
 * input itself and nothing is drawn. Each front-end checks p and shapes its own outputs (ONNX
 * adds the mask output).
 */

/** What dropout needs of a graph writer (a DSL trace, an ONNX import context). */
export interface DropoutWriter {
  /** Applies a single-output IR op. */
  op(op: string, inputs: readonly Value[], attrs?: Attrs): Value;
  /** A rank-0 constant. */
  scalar(value: number, dtype: DType): Value;
}

/** The run's random streams; the key is asked for only when numbers are drawn. */
export interface RandomStreams {
  randomKey(): Value;
  /** A distinct stream per random op. */
  nextSalt(): number;
}

export interface Dropout {
  readonly output: Value;
  /** Where elements were kept (bool); null where nothing was drawn (every element kept). */
  readonly keep: Value | null;
}

/** @param training the random streams in training; undefined in evaluation. */
export function invertedDropout(writer: DropoutWriter, x: Value, p: number, training: RandomStreams | undefined): Dropout {
  if (!training || p === 0) return { output: x, keep: null };
  const dtype = x.type.dtype;
  const u = writer.op('randomUniform', [training.randomKey()], { shape: [...x.type.shape], salt: training.nextSalt() });
  const keep = writer.op('greaterEqual', [u, writer.scalar(p, 'f32')]);
  const scaled = writer.op('mul', [x, writer.scalar(1 / (1 - p), dtype)]);
  return { output: writer.op('where', [keep, scaled, writer.scalar(0, dtype)]), keep };
}
