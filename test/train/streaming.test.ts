import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostTensor, InputError } from '../../ir/index.js';
import { compileTraining } from '../../compiler/train/index.js';
import { getDefaultDevice } from '../../runtime/index.js';
import type { Dataset } from '../../runtime/training/index.js';
import { ArrayDataset, NpyDataset, NpyFile, parseNpyHeader, renderCurves, Trainer, writeNpy } from '../../runtime/training/index.js';
import { classifierSpec, FEATURES, teacherData } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'dawnflow-npy-'));
const data = teacherData(80, 11);
const cleanup: (() => unknown)[] = [];
afterAll(() => cleanup.forEach((f) => f()));

describe('.npy files', () => {
  it('round-trips through writeNpy and a row-range reader', async () => {
    const path = join(dir, 'a.npy');
    await writeNpy(path, hostTensor('f32', [5, 3], [...Array(15).keys()].map((v) => v / 4)));
    const bytes = readFileSync(path);
    expect((10 + bytes.readUInt16LE(8)) % 64).toBe(0);
    const file = await NpyFile.open(path);
    cleanup.push(() => file.close());
    expect(file.header.shape).toEqual([5, 3]);
    const rows = new Float32Array(6);
    await file.readRows(2, 2, rows);
    expect([...rows]).toEqual([1.5, 1.75, 2, 2.25, 2.5, 2.75]);
  });

  it('reads version-2 headers', () => {
    const header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }".padEnd(115, ' ') + '\n';
    const bytes = new Uint8Array(12 + header.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, header.length, true);
    bytes.set(new TextEncoder().encode(header), 12);
    const parsed = parseNpyHeader(bytes, 'v2.npy');
    expect(parsed).toEqual({ descr: '<i8', shape: [2], dataOffset: 128, bytesPerElement: 8 });
  });

  it('refuses what it cannot read, naming the file', async () => {
    expect(() => parseNpyHeader(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'junk.npy')).toThrow(/junk\.npy: not a readable \.npy file: missing/);
    const path = join(dir, 'short.npy');
    await writeNpy(path, hostTensor('f32', [4, 2]));
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, whole.length - 4));
    await expect(NpyFile.open(path)).rejects.toThrow(InputError);
    await expect(NpyFile.open(path)).rejects.toThrow(/short\.npy: truncated/);
  });
});

describe('streaming batches from .npy', () => {
  async function npyDataset(): Promise<NpyDataset> {
    await writeNpy(join(dir, 'x.npy'), hostTensor('f32', [80, FEATURES], data.x));
    await writeNpy(join(dir, 'y.npy'), hostTensor('i32', [80], data.y));
    const set = await NpyDataset.open(join(dir, 'x.npy'), join(dir, 'y.npy'));
    cleanup.push(() => set.close());
    return set;
  }

  it('reads any rows in any order exactly as the in-memory data set', async () => {
    const streamed = await npyDataset();
    const memory = new ArrayDataset(data.x, data.y, [FEATURES]);
    const indices = [5, 6, 7, 79, 0, 41, 42];
    const read = async (set: Dataset) => {
      const x = new Float32Array(indices.length * FEATURES);
      const y = new Int32Array(indices.length);
      await set.read(indices, x, y);
      return [...x, ...y];
    };
    expect(await read(streamed)).toEqual(await read(memory));
  });

  it('trains bit for bit like in-memory data, reading each next batch while the GPU runs the step', async () => {
    const device = await getDefaultDevice();
    const spec = () => ({ ...classifierSpec(3), limits: device.limits });
    const events: string[] = [];
    const streamed = await npyDataset();
    const logged: Dataset = {
      size: streamed.size,
      inputElements: streamed.inputElements,
      targetElements: streamed.targetElements,
      read: (indices, x, y) => {
        events.push('read');
        return streamed.read(indices, x, y);
      },
    };
    const a = await Trainer.load(compileTraining(spec()), device);
    const b = await Trainer.load(compileTraining(spec()), device);
    cleanup.push(() => a.dispose(), () => b.dispose());
    const step = a.step.bind(a);
    a.step = (x, y) => {
      events.push('step');
      return step(x, y);
    };
    const fromFile = await a.fit(logged, { epochs: 2, seed: 4, progress: 'none' });
    const fromMemory = await b.fit(new ArrayDataset(data.x, data.y, [FEATURES]), { epochs: 2, seed: 4, progress: 'none' });
    expect(fromFile.map((r) => r.loss)).toEqual(fromMemory.map((r) => r.loss));
    // 5 batches per epoch: the next batch's read is issued right after each step is submitted.
    expect(events.join(' ')).toBe(Array(2).fill('read step read step read step read step read step').join(' '));
  });
});

describe('curves', () => {
  it('draws loss and accuracy per epoch as SVG polylines', () => {
    const history = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.5 + epoch / 10, valLoss: 1.2 / epoch, seconds: 1, examplesPerSecond: 100 }));
    const svg = renderCurves(history, 'demo');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1].split(' ').length);
    expect(lines).toEqual([3, 3, 3]);
    expect(svg).toContain('demo: accuracy');
    expect(svg).toContain('validation loss');
  });
});
