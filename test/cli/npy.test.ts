import { describe, expect, it } from 'vitest';
import { InputError } from '../../ir/index.js';
import { encodeNpy, npyToTensor, parseNpy, readNpy } from '../../runtime/io/npy.js';
import { rng } from '../helpers/random.js';

/**
 * The .npy reader and writer. Files are built here byte by byte from the format's definition
 * (magic, version, little-endian header length, a dict literal padded to 64 bytes, data), so the
 * reader is checked against the format, not against our own writer.
 */

function npyBytes(descr: string, shape: string, data: Uint8Array, options: { fortran?: boolean; major?: number } = {}): Uint8Array {
  const major = options.major ?? 1;
  let header = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const prefix = major === 1 ? 10 : 12;
  header += ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(prefix + header.length + data.length);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(data, prefix + header.length);
  return out;
}

function le(kind: 'f4' | 'f8' | 'i8' | 'i4' | 'u1' | 'i2' | 'f2', values: number[]): Uint8Array {
  const size = Number(kind[1]);
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    if (kind === 'f4') view.setFloat32(4 * i, v, true);
    else if (kind === 'f8') view.setFloat64(8 * i, v, true);
    else if (kind === 'i8') view.setBigInt64(8 * i, BigInt(v), true);
    else if (kind === 'i4') view.setInt32(4 * i, v, true);
    else if (kind === 'i2') view.setInt16(2 * i, v, true);
    else if (kind === 'f2') view.setUint16(2 * i, v, true);
    else view.setUint8(i, v);
  });
  return bytes;
}

describe('reading .npy', () => {
  it('reads float32, float64 (to f32), int64 (to i32), uint8, int16, bool and float16', () => {
    expect(readNpy(npyBytes('<f4', '(2, 2)', le('f4', [1, 2.5, -3, 4])))).toEqual({ dtype: 'f32', shape: [2, 2], data: Float32Array.from([1, 2.5, -3, 4]) });
    expect(readNpy(npyBytes('<f8', '(3,)', le('f8', [0.1, 1e300, -0])))).toMatchObject({ dtype: 'f32', shape: [3], data: Float32Array.from([0.1, Infinity, -0]) });
    expect(readNpy(npyBytes('<i8', '(2,)', le('i8', [-5, 2147483647])))).toEqual({ dtype: 'i32', shape: [2], data: Int32Array.from([-5, 2147483647]) });
    expect(readNpy(npyBytes('|u1', '(3,)', le('u1', [0, 128, 255])))).toEqual({ dtype: 'i32', shape: [3], data: Int32Array.from([0, 128, 255]) });
    expect(readNpy(npyBytes('<i2', '(1,)', le('i2', [-300])))).toEqual({ dtype: 'i32', shape: [1], data: Int32Array.from([-300]) });
    expect(readNpy(npyBytes('|b1', '(3,)', le('u1', [1, 0, 1])))).toEqual({ dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) });
    expect(readNpy(npyBytes('<f2', '(2,)', le('f2', [0x3c00, 0xc100])))).toEqual({ dtype: 'f32', shape: [2], data: Float32Array.from([1, -2.5]) });
  });

  it('reads scalars, empty arrays, version 2 headers, big-endian data and Fortran order', () => {
    expect(readNpy(npyBytes('<f4', '()', le('f4', [7])))).toEqual({ dtype: 'f32', shape: [], data: Float32Array.from([7]) });
    expect(readNpy(npyBytes('<f4', '(0, 3)', new Uint8Array()))).toEqual({ dtype: 'f32', shape: [0, 3], data: new Float32Array() });
    expect(readNpy(npyBytes('<i4', '(2,)', le('i4', [3, 4]), { major: 2 })).data).toEqual(Int32Array.from([3, 4]));
    const be = new Uint8Array(4);
    new DataView(be.buffer).setInt32(0, -2, false);
    expect(readNpy(npyBytes('>i4', '(1,)', be)).data).toEqual(Int32Array.from([-2]));
    // Fortran order: column-major storage of [[1, 2, 3], [4, 5, 6]].
    expect(readNpy(npyBytes('<f4', '(2, 3)', le('f4', [1, 4, 2, 5, 3, 6]), { fortran: true })).data).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6]));
  });

  it('converts to a requested dtype with range checks, never across kinds', () => {
    const big = parseNpy(npyBytes('<i8', '(2,)', le('i8', [1, 2 ** 40])), 'big.npy');
    expect(() => npyToTensor(big, 'i32', 'big.npy')).toThrow(/big.npy: element 1 \(1099511627776\) does not fit in i32/);
    const floats = parseNpy(npyBytes('<f4', '(1,)', le('f4', [1])));
    expect(() => npyToTensor(floats, 'i32', 'f.npy')).toThrow(/f.npy: holds '<f4' values, expected i32/);
    const ints = parseNpy(npyBytes('<i4', '(1,)', le('i4', [1])));
    expect(() => npyToTensor(ints, 'f32', 'i.npy')).toThrow(/expected f32/);
    expect(() => npyToTensor(ints, 'bool', 'i.npy')).toThrow(/expected bool/);
  });

  it('rejects every malformed file with an InputError naming it', () => {
    const good = npyBytes('<f4', '(2,)', le('f4', [1, 2]));
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(), /x.npy: the file is empty/],
      [new TextEncoder().encode('hello, not numpy'), /bad magic/],
      [Uint8Array.from([...good.subarray(0, 6), 9, 0, ...good.subarray(8)]), /unsupported .npy version 9/],
      [good.subarray(0, 9), /truncated .npy header/],
      [good.subarray(0, 40), /truncated .npy header/],
      [good.subarray(0, good.length - 1), /holds 7 data bytes.*needs 8 \(truncated\)/],
      [Uint8Array.from([...good, 0]), /holds 9 data bytes.*needs 8/],
      [npyBytes('<c8', '(1,)', new Uint8Array(8)), /unsupported .npy dtype '<c8'/],
      [npyBytes('|O', '(1,)', new Uint8Array(8)), /unsupported .npy dtype/],
      [npyBytes('<U3', '(1,)', new Uint8Array(12)), /unsupported .npy dtype/],
      [npyBytes('<f4', '(-1,)', new Uint8Array()), /invalid .npy shape/],
      [npyBytes('<f4', '(1099511627776, 1099511627776)', new Uint8Array()), /too large/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => parseNpy(bytes, 'x.npy')).toThrow(InputError);
      expect(() => parseNpy(bytes, 'x.npy')).toThrow(message);
    }
  });

  it('never throws anything but InputError on mutated files', () => {
    const good = npyBytes('<f4', '(3, 2)', le('f4', [1, 2, 3, 4, 5, 6]));
    const next = rng(3);
    for (let trial = 0; trial < 500; trial++) {
      const bytes = Uint8Array.from(good);
      for (let k = 0; k < 1 + Math.floor(next() * 4); k++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const cut = next() < 0.3 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes;
      try {
        readNpy(cut);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
      }
    }
  });
});

describe('writing .npy', () => {
  it('writes the header numpy writes and round-trips every dtype', () => {
    const bytes = encodeNpy({ dtype: 'f32', shape: [3], data: Float32Array.from([1, 2, 3]) });
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + new DataView(bytes.buffer).getUint16(8, true)));
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
    expect((10 + header.length) % 64).toBe(0);
    const tensors = [
      { dtype: 'f32' as const, shape: [2, 1], data: Float32Array.from([1.5, -2]) },
      { dtype: 'i32' as const, shape: [], data: Int32Array.from([-7]) },
      { dtype: 'u32' as const, shape: [2], data: Uint32Array.from([0, 4000000000]) },
      { dtype: 'bool' as const, shape: [3], data: Uint8Array.from([1, 0, 1]) },
    ];
    for (const t of tensors) expect(readNpy(encodeNpy(t))).toEqual(t);
  });

  it('writes wider ONNX types on request (int64, float64, uint8)', () => {
    const i = { dtype: 'i32' as const, shape: [2], data: Int32Array.from([-1, 5]) };
    expect(parseNpy(encodeNpy(i, '<i8'))).toMatchObject({ descr: '<i8', values: Float64Array.from([-1, 5]) });
    expect(parseNpy(encodeNpy({ dtype: 'f32', shape: [1], data: Float32Array.from([0.5]) }, '<f8'))).toMatchObject({ descr: '<f8', values: Float64Array.from([0.5]) });
    expect(parseNpy(encodeNpy(i, '|u1')).descr).toBe('|u1');
  });
});
