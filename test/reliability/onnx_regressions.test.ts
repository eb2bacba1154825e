import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/onnx/import.js';
import { encodeModel } from '../../compiler/onnx/proto.js';
import type { onnx } from '../../compiler/onnx/proto.js';
import { isDawnflowError } from '../../ir/index.js';

/**
 * Minimal models for what the ONNX fuzzer found: each used to crash the importer with an
 * untyped RangeError/TypeError, allocate gigabytes, or build nodes until the heap ran out.
 * Each must now be refused with a typed error, quickly, allocating nothing of the sort.
 */

type Dims = readonly number[];

function tensorInfo(name: string, dims: Dims, elemType = 1): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

function model(nodes: onnx.INodeProto[], inputs: onnx.IValueInfoProto[], outputs: onnx.IValueInfoProto[], initializers: onnx.ITensorProto[] = []): Uint8Array {
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'regression', node: nodes, input: inputs, output: outputs, initializer: initializers } });
}

/** Imports `bytes` and returns the typed error it must end in, checking time and memory. */
function refusal(bytes: Uint8Array): { code: string; message: string } {
  const heap = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  let caught: unknown;
  try {
    importOnnx(bytes, { source: 'regression.onnx' });
  } catch (e) {
    caught = e;
  }
  expect(performance.now() - started).toBeLessThan(2_000);
  expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(64 << 20);
  if (!isDawnflowError(caught)) throw new Error(`expected a typed error, got ${String(caught)}`);
  return { code: caught.code, message: caught.message };
}

describe('ONNX importer regressions found by fuzzing', () => {
  it('EyeLike of a [2^31-1, 3] input is refused before allocating (was: RangeError: Invalid array length)', () => {
    const bytes = model([{ opType: 'EyeLike', input: ['x'], output: ['y'], name: 'eye' }], [tensorInfo('x', [2 ** 31 - 1, 3])], [tensorInfo('y', [2 ** 31 - 1, 3])]);
    expect(refusal(bytes)).toEqual({ code: 'UNSUPPORTED_OP', message: expect.stringMatching(/^EyeLike 'eye': the identity would hold 6442450941 elements/) });
  });

  it('Range to 2^40 is refused before allocating (was: RangeError)', () => {
    const scalar = (name: string, v: number): onnx.ITensorProto => ({ name, dims: [], dataType: 7, int64Data: [v] });
    const bytes = model(
      [{ opType: 'Range', input: ['start', 'limit', 'delta'], output: ['y'], name: 'range' }],
      [],
      [tensorInfo('y', [2 ** 40], 7)],
      [scalar('start', 0), scalar('limit', 2 ** 40), scalar('delta', 1)],
    );
    expect(refusal(bytes).code).toBe('UNSUPPORTED_OP');
  });

  it("Einsum 'ii->i' over 48270 x 48270 does not build a 9 GB diagonal mask (was: 8.5 GB allocated)", () => {
    const bytes = model(
      [{ opType: 'Einsum', input: ['x'], output: ['y'], name: 'diag', attribute: [{ name: 'equation', type: 3, s: new TextEncoder().encode('ii->i') }] }],
      [tensorInfo('x', [48270, 48270])],
      [tensorInfo('y', [48270])],
    );
    expect(refusal(bytes)).toEqual({ code: 'UNSUPPORTED_OP', message: expect.stringMatching(/^Einsum 'diag': the diagonal mask would hold 2329992900 elements/) });
  });

  it.each([0, -3, 2 ** 31])('LRN with size %d is a ShapeError (was: TypeError on size 0, endless node building on huge sizes)', (size) => {
    const bytes = model(
      [{ opType: 'LRN', input: ['x'], output: ['y'], name: 'lrn', attribute: [{ name: 'size', type: 2, i: size }] }],
      [tensorInfo('x', [1, 5, 3, 3])],
      [tensorInfo('y', [1, 5, 3, 3])],
    );
    expect(refusal(bytes)).toEqual({ code: 'SHAPE', message: `LRN 'lrn': size ${size} must be between 1 and 2·channels + 1` });
  });

  it('GRU over a sequence of 2^31 steps is refused (was: heap exhausted unrolling it, killing the process)', () => {
    const bytes = model(
      [{ opType: 'GRU', input: ['x', 'w', 'r'], output: ['', 'h'], name: 'gru', attribute: [{ name: 'hidden_size', type: 2, i: 5 }] }],
      [tensorInfo('x', [2 ** 31, 3, 2]), tensorInfo('w', [1, 15, 2]), tensorInfo('r', [1, 15, 5])],
      [tensorInfo('h', [1, 3, 5])],
    );
    expect(refusal(bytes)).toEqual({ code: 'UNSUPPORTED_OP', message: expect.stringMatching(/^GRU 'gru': a sequence of 2147483648 steps is longer than/) });
  });

  it.each([0, 3])('Scan with num_scan_inputs %d is a ModelFormatError (was: TypeError reading the first scan input)', (count) => {
    const body: onnx.IGraphProto = {
      name: 'body',
      node: [
        { opType: 'Add', input: ['sum_in', 'next'], output: ['sum_out'] },
        { opType: 'Identity', input: ['sum_out'], output: ['scan_out'] },
      ],
      input: [tensorInfo('sum_in', [2]), tensorInfo('next', [2])],
      output: [tensorInfo('sum_out', [2]), tensorInfo('scan_out', [2])],
    };
    const bytes = model(
      [{ opType: 'Scan', input: ['initial', 'x'], output: ['sum', 'ys'], name: 'scan', attribute: [{ name: 'body', type: 5, g: body }, { name: 'num_scan_inputs', type: 2, i: count }] }],
      [tensorInfo('initial', [2]), tensorInfo('x', [3, 2])],
      [tensorInfo('sum', [2]), tensorInfo('ys', [3, 2])],
    );
    expect(refusal(bytes)).toEqual({ code: 'MODEL_FORMAT', message: `Scan 'scan': num_scan_inputs ${count} must be between 1 and the 2 inputs` });
  });

  describe('signal ops', () => {
    const int64 = (name: string, v: number): onnx.ITensorProto => ({ name, dims: [], dataType: 7, int64Data: [v] });

    it('HannWindow of size 2^40 is refused before allocating (was: RangeError)', () => {
      const bytes = model([{ opType: 'HannWindow', input: ['size'], output: ['y'], name: 'hann' }], [], [tensorInfo('y', [2 ** 40])], [int64('size', 2 ** 40)]);
      expect(refusal(bytes).code).toBe('UNSUPPORTED_OP');
    });

    it('DFT of length 2^20 does not build a 2^39-element matrix', () => {
      const bytes = encodeModel({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 17 }],
        graph: {
          name: 'dft',
          node: [{ opType: 'DFT', input: ['x', 'n'], output: ['y'], name: 'dft', attribute: [{ name: 'axis', type: 2, i: 1 }] }],
          input: [tensorInfo('x', [1, 8, 1])],
          output: [tensorInfo('y', [1, 2 ** 20, 2])],
          initializer: [int64('n', 2 ** 20)],
        },
      });
      expect(refusal(bytes)).toEqual({ code: 'UNSUPPORTED_OP', message: expect.stringMatching(/^DFT 'dft': the DFT matrix would hold \d+ elements/) });
    });

    it.each([0, -2])('STFT with frame_step %d is a ShapeError (was: RangeError: Invalid array length)', (step) => {
      const bytes = model(
        [{ opType: 'STFT', input: ['signal', 'step', '', 'length'], output: ['y'], name: 'stft' }],
        [tensorInfo('signal', [1, 16, 1])],
        [tensorInfo('y', [1, 4, 3, 2])],
        [int64('step', step), int64('length', 4)],
      );
      expect(refusal(bytes)).toEqual({ code: 'SHAPE', message: `STFT 'stft': frame_step ${step} is not a positive integer` });
    });
  });

  it("MaxPool's Indices output over a [1, 1, 2^31, 25] input is refused before allocating (was: RangeError)", () => {
    const bytes = model(
      [{ opType: 'MaxPool', input: ['x'], output: ['y', 'i'], name: 'pool', attribute: [{ name: 'kernel_shape', type: 7, ints: [2, 2] }] }],
      [tensorInfo('x', [1, 1, 2 ** 31, 25])],
      [tensorInfo('y', [1, 1, 2 ** 31 - 1, 24]), tensorInfo('i', [1, 1, 2 ** 31 - 1, 24], 7)],
    );
    expect(refusal(bytes)).toEqual({ code: 'UNSUPPORTED_OP', message: expect.stringMatching(/^MaxPool 'pool': the index map would hold 53687091200 elements/) });
  });
});
