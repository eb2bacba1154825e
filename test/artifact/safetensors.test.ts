import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostTensor } from '../../ir/index.js';
import { ArtifactError } from '../../runtime/index.js';
import { decodeSafetensors, encodeSafetensors } from '../../ir/safetensors.js';
import { readSafetensors, writeSafetensors } from '../../runtime/io/safetensors.js';
import { tempDir } from './helpers.js';

/** A safetensors file assembled by hand from the format's description, not by our encoder. */
function handMade(header: Record<string, unknown>, data: number[], pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32Bytes = (...values: number[]) => [...new Uint8Array(Float32Array.from(values).buffer)];
const i32Bytes = (...values: number[]) => [...new Uint8Array(Int32Array.from(values).buffer)];

describe('safetensors: reading', () => {
  it('reads a hand-assembled file: any key order, every dtype, metadata, empty tensors', () => {
    const data = [...i32Bytes(-7, 9), ...f32Bytes(1.5, -2, 0.25, 8), 1, 0, 1, 0x00, 0x3c /* f16 1.0 */];
    const file = handMade(
      {
        w: { dtype: 'F32', shape: [2, 2], data_offsets: [8, 24] },
        __metadata__: { source: 'hand' },
        idx: { dtype: 'I32', shape: [2], data_offsets: [0, 8] },
        empty: { dtype: 'U32', shape: [0, 3], data_offsets: [24, 24] },
        mask: { dtype: 'BOOL', shape: [3], data_offsets: [24, 27] },
        half: { dtype: 'F16', shape: [1], data_offsets: [27, 29] },
      },
      data,
    );
    const { tensors, metadata } = decodeSafetensors(file, 'hand.safetensors');
    expect(metadata).toEqual({ source: 'hand' });
    expect(tensors.get('w')).toEqual(hostTensor('f32', [2, 2], [1.5, -2, 0.25, 8]));
    expect(tensors.get('idx')).toEqual(hostTensor('i32', [2], [-7, 9]));
    expect(tensors.get('empty')).toEqual(hostTensor('u32', [0, 3]));
    expect(tensors.get('mask')).toEqual(hostTensor('bool', [3], [1, 0, 1]));
    expect(tensors.get('half')).toEqual(hostTensor('f16', [1], [0x3c00]));
  });

  it('round-trips what it writes, with the data section 8-byte aligned', () => {
    const tensors = new Map([
      ['a', hostTensor('f32', [3], [0.1, -1e30, 3])],
      ['b', { dtype: 'f32' as const, shape: [2], data: Float64Array.of(0.5, 1 / 3) }],
      ['c', hostTensor('u32', [1, 1], [4294967295])],
      ['d', { dtype: 'bool' as const, shape: [3], data: Uint8Array.of(0, 7, 1) }],
      ['e', hostTensor('i32', [0])],
    ]);
    const bytes = encodeSafetensors(tensors, { k: 'v' });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const back = decodeSafetensors(bytes, 'x');
    expect(back.metadata).toEqual({ k: 'v' });
    expect(back.tensors.get('a')).toEqual(tensors.get('a'));
    // f32 leaves as f32 even when held in a Float64Array; bools as 0/1 bytes.
    expect(back.tensors.get('b')!.data).toEqual(Float32Array.of(0.5, 1 / 3));
    expect(back.tensors.get('c')).toEqual(tensors.get('c'));
    expect(back.tensors.get('d')!.data).toEqual(Uint8Array.of(0, 1, 1));
    expect(back.tensors.get('e')).toEqual(tensors.get('e'));
  });

  it('rejects malformed files, naming the file and the tensor', () => {
    const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const reject = (bytes: Uint8Array, message: RegExp) => {
      expect(() => decodeSafetensors(bytes, 'm.safetensors')).toThrow(ArtifactError);
      expect(() => decodeSafetensors(bytes, 'm.safetensors')).toThrow(message);
    };
    reject(new Uint8Array(5), /^m\.safetensors: 5 bytes is too short/);
    reject(handMade(ok, f32Bytes(1, 2)).subarray(0, 20), /^m\.safetensors: the header claims \d+ bytes but the file has 12/);
    reject(handMade(ok, f32Bytes(1)), /^m\.safetensors: tensor 'w': its bytes \[0, 8\) run past the data section's 4 bytes \(truncated\?\)/);
    reject(handMade({ w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, f32Bytes(1, 2)), /tensor 'w': unsupported dtype "F64"/);
    reject(handMade({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32Bytes(1, 2)), /tensor 'w': F32|f32\[3\] needs 12 bytes, data_offsets span 8/);
    reject(handMade({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 8] } }, f32Bytes(1, 2)), /tensor 'w': shape \[-1\] is not a list of sizes/);
    reject(
      handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32Bytes(1, 2)),
      /overlaps another tensor/,
    );
    reject(handMade({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32Bytes(1, 2)), /bytes \[0, 4\) before tensor 'w' belong to no tensor/);
    reject(handMade(ok, f32Bytes(1, 2, 3)), /4 bytes after the last tensor belong to no tensor/);
    const bad = handMade(ok, f32Bytes(1, 2));
    bad[9] = 0x7d; // {"w"... becomes {}w"...: no longer JSON
    reject(bad, /^m\.safetensors: the header is not valid JSON/);
    const huge = handMade(ok, f32Bytes(1, 2));
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    reject(huge, /header length \d+ exceeds/);
  });
});

describe('safetensors: writing', () => {
  it('replaces a file atomically and leaves no temporary file behind', async () => {
    const dir = await tempDir('st');
    const path = join(dir, 'p.safetensors');
    await writeSafetensors(path, { a: hostTensor('f32', [2], [1, 2]) });
    await writeSafetensors(path, { a: hostTensor('f32', [2], [3, 4]) }, { step: '2' });
    const read = await readSafetensors(path);
    expect(read.tensors.get('a')!.data).toEqual(Float32Array.of(3, 4));
    expect(read.metadata).toEqual({ step: '2' });
    expect(await readdir(dir)).toEqual(['p.safetensors']);
  });

  it('keeps the previous file whole when a write fails', async () => {
    const dir = await tempDir('st-fail');
    const path = join(dir, 'p.safetensors');
    await writeSafetensors(path, { a: hostTensor('f32', [2], [1, 2]) });
    const before = await readFile(path);
    const broken = { dtype: 'f32' as const, shape: [3], data: Float32Array.of(1) };
    await expect(writeSafetensors(path, { a: broken })).rejects.toThrow(/tensor 'a' holds 1 values for shape \[3\]/);
    await expect(writeSafetensors(join(dir, 'missing-dir', 'q.safetensors'), { a: hostTensor('f32', [1], [1]) })).rejects.toThrow();
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(dir)).toEqual(['p.safetensors']);
  });

  it('names the path of a file it cannot read', async () => {
    const dir = await tempDir('st-missing');
    await expect(readSafetensors(join(dir, 'nope.safetensors'))).rejects.toThrow(/nope\.safetensors: cannot read/);
    await writeFile(join(dir, 'short.safetensors'), new Uint8Array(3));
    await expect(readSafetensors(join(dir, 'short.safetensors'))).rejects.toThrow(/short\.safetensors: 3 bytes is too short/);
  });
});
