import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType, HostTensor } from '../../ir/index.js';
import { halfToNumber, isDawnflowError, numel } from '../../ir/index.js';
import { encodeNpy, readNpy } from '../../runtime/io/npy.js';

/**
 * Fuzzing the .npy reader (what `dawnflow run` feeds models from): valid files round-trip, and
 * anything else (mutated bytes, hostile headers) is an InputError, quickly, without allocating
 * for a shape the bytes do not hold.
 */

const SEED = 20_261_128;

/** What a parse may legitimately end in: a consistent tensor, or a typed error. */
function outcome(bytes: Uint8Array): 'tensor' | 'typed' {
  const heap = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  let result: 'tensor' | 'typed';
  try {
    const t = readNpy(bytes, 'fuzz.npy');
    expect(t.data.length).toBe(numel(t.shape));
    result = 'tensor';
  } catch (e) {
    if (!isDawnflowError(e)) throw new Error(`untyped ${String(e)} for ${Buffer.from(bytes.subarray(0, 200)).toString('latin1')}`, { cause: e });
    expect(e.message.startsWith('fuzz.npy: ')).toBe(true);
    result = 'typed';
  }
  expect(performance.now() - started).toBeLessThan(1_000);
  // Nothing much beyond the file itself (decoded values are at most 8 bytes per stored byte).
  expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(64 * bytes.length + (1 << 20));
  return result;
}

const DTYPES: readonly DType[] = ['f32', 'i32', 'u32', 'bool', 'f16'];

const tensorArb: fc.Arbitrary<HostTensor> = fc
  .record({ dtype: fc.constantFrom(...DTYPES), shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), seed: fc.nat() })
  .map(({ dtype, shape, seed }) => {
    const n = numel(shape);
    let s = seed || 1;
    const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    const data =
      dtype === 'f32'
        ? Float32Array.from({ length: n }, () => (next() / 2 ** 32 - 0.5) * 1e6)
        : dtype === 'i32'
          ? Int32Array.from({ length: n }, () => next() | 0)
          : dtype === 'u32'
            ? Uint32Array.from({ length: n }, () => next())
            : dtype === 'bool'
              ? Uint8Array.from({ length: n }, () => next() & 1)
              : Uint16Array.from({ length: n }, () => next() & 0x7bff); // finite halves
    return { dtype, shape, data };
  });

const headerArb = fc.record({
  version: fc.constantFrom(0, 1, 2, 3, 4, 255),
  descr: fc.constantFrom('<f4', '<f8', '<f2', '>f4', '|b1', '<i8', '>i2', '|u1', '<u8', '<c8', 'O', '<U3', '', "<f4'", 'f4'),
  fortran: fc.constantFrom('True', 'False', 'true', '1', ''),
  shape: fc.array(fc.oneof(fc.constantFrom('0', '1', '3', '-1', '2147483647', '2147483648', '1099511627776', '9007199254740993', '1e3', '3L', 'x', ' '), fc.nat({ max: 9 }).map(String)), {
    maxLength: 4,
  }),
  trailingComma: fc.boolean(),
  keyOrder: fc.nat({ max: 5 }),
  lengthDelta: fc.integer({ min: -3, max: 3 }),
  dataBytes: fc.nat({ max: 96 }),
});

type HostileHeader = typeof headerArb extends fc.Arbitrary<infer T> ? T : never;

function hostileFile(h: HostileHeader): Uint8Array {
  const shape = `(${h.shape.join(', ')}${h.trailingComma ? ',' : ''})`;
  const parts = [`'descr': '${h.descr}'`, `'fortran_order': ${h.fortran}`, `'shape': ${shape}`];
  const rotated = [...parts.slice(h.keyOrder % 3), ...parts.slice(0, h.keyOrder % 3)];
  const text = `{${rotated.join(', ')}, }\n`;
  const lengthBytes = h.version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + text.length + h.dataBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, h.version, 0]);
  const declared = Math.max(0, text.length + h.lengthDelta);
  const view = new DataView(out.buffer);
  if (lengthBytes === 2) view.setUint16(8, declared, true);
  else view.setUint32(8, declared, true);
  for (let i = 0; i < text.length; i++) out[8 + lengthBytes + i] = text.charCodeAt(i);
  for (let i = 0; i < h.dataBytes; i++) out[8 + lengthBytes + text.length + i] = (i * 37) & 0xff;
  return out;
}

describe('.npy reader fuzz', () => {
  it('round-trips valid arrays exactly', () => {
    fc.assert(
      fc.property(tensorArb, (t) => {
        const back = readNpy(encodeNpy(t), 'fuzz.npy');
        expect(back.shape).toEqual(t.shape);
        // f16 comes back as f32 (its natural dtype on the host): compare values, which f32 holds exactly.
        if (t.dtype === 'f16') {
          expect(back.dtype).toBe('f32');
          expect(Array.from(back.data)).toEqual(Array.from(t.data, halfToNumber));
        } else {
          expect(back.dtype).toBe(t.dtype);
          expect(Array.from(back.data)).toEqual(Array.from(t.data));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('answers mutated files with a tensor or an InputError naming the file', () => {
    const counts = { tensor: 0, typed: 0 };
    fc.assert(
      fc.property(
        tensorArb,
        fc.array(fc.record({ op: fc.constantFrom('truncate', 'flip', 'insert', 'delete'), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        (t, edits) => {
          let bytes = encodeNpy(t);
          for (const e of edits) {
            const i = Math.floor(e.at * bytes.length);
            if (e.op === 'truncate') bytes = bytes.subarray(0, i);
            else if (e.op === 'flip') bytes = Uint8Array.from(bytes, (b, k) => (k === i ? b ^ (1 << (e.byte & 7)) : b));
            else if (e.op === 'insert') bytes = Uint8Array.from([...bytes.subarray(0, i), e.byte, ...bytes.subarray(i)]);
            else bytes = Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + 1)]);
          }
          counts[outcome(bytes)]++;
        },
      ),
      { seed: SEED, numRuns: 2_000 },
    );
    console.log(`.npy mutated files: ${counts.tensor} parsed, ${counts.typed} typed errors, 0 untyped`);
    // Both outcomes, in numbers: edits the format survives (payload bytes) and ones it refuses.
    expect(counts.tensor).toBeGreaterThan(10);
    expect(counts.typed).toBeGreaterThan(100);
  });

  it('refuses hostile headers (absurd shapes, bad versions, lying lengths) without allocating for them', () => {
    const counts = { tensor: 0, typed: 0 };
    fc.assert(
      fc.property(headerArb, (h) => {
        counts[outcome(hostileFile(h))]++;
      }),
      { seed: SEED, numRuns: 2_000 },
    );
    console.log(`.npy hostile headers: ${counts.tensor} parsed, ${counts.typed} typed errors, 0 untyped`);
    expect(counts.tensor).toBeGreaterThan(0);
    expect(counts.typed).toBeGreaterThan(1_000);
  });
});
