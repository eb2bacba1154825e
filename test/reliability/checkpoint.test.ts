import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactError, Executable, loadCheckpoint, readCheckpoint, saveCheckpoint, writeCheckpoint } from '../../runtime/index.js';
import { accumulatorPlan, floatStepInput, momentumPlan, stepInput } from './plans.js';
import { bits, thrown } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dawnflow-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 23;

/** A small checkpoint file at `path` (no GPU needed) whose step tells which one it is. */
async function smallCheckpoint(path: string, step: number): Promise<void> {
  await writeCheckpoint(path, { w: { dtype: 'f32', shape: [4], data: Float32Array.of(step, 1, 2, 3) }, n: { dtype: 'i32', shape: [], data: Int32Array.of(step) } }, { plan: 'small', step, prngState: [step, 42], extra: {} });
}

describe('checkpoints', () => {
  it('resumes bit for bit: the losses and states after loading equal the uninterrupted run', async () => {
    const plan = await momentumPlan(N);
    const path = join(dir, 'momentum.safetensors');
    const uninterrupted = await Executable.load(plan);
    const losses: number[][] = [];
    for (let s = 0; s < 10; s++) losses.push(bits((await uninterrupted.run({ x: floatStepInput(N, s) })).loss));

    const first = await Executable.load(plan);
    for (let s = 0; s < 5; s++) await first.run({ x: floatStepInput(N, s) });
    const saved = await saveCheckpoint(first, path, { step: 5, prngState: { seed: 1234, counter: [5, 0] }, extra: { epoch: 0, note: 'half way' } });
    expect(saved).toMatchObject({ file: path, step: 5, plan: 'momentum' });
    first.dispose();

    const resumed = await Executable.load(plan);
    const info = await loadCheckpoint(resumed, path);
    expect(info).toMatchObject({ file: path, step: 5, prngState: { seed: 1234, counter: [5, 0] }, extra: { epoch: 0, note: 'half way' }, plan: 'momentum' });
    for (let s = info.step; s < 10; s++) expect(bits((await resumed.run({ x: floatStepInput(N, s) })).loss), `step ${s}`).toEqual(losses[s]);
    for (const name of ['w', 'm']) expect(bits(await resumed.readState(name)), name).toEqual(bits(await uninterrupted.readState(name)));
    // Any safetensors reader sees the parameters.
    const { states } = await readCheckpoint(path);
    expect([...states.keys()].sort()).toEqual(['m', 'w']);
    uninterrupted.dispose();
    resumed.dispose();
  });

  it('keeps the previous checkpoint as <path>.prev', async () => {
    const exe = await Executable.load(await accumulatorPlan(N));
    const path = join(dir, 'acc.safetensors');
    await exe.run({ x: stepInput(N, 0) });
    await saveCheckpoint(exe, path, { step: 1 });
    await exe.run({ x: stepInput(N, 1) });
    await saveCheckpoint(exe, path, { step: 2 });
    expect((await readCheckpoint(path)).info.step).toBe(2);
    const previous = await readCheckpoint(`${path}.prev`);
    expect(previous.info.step).toBe(1);
    expect((previous.states.get('steps')!.data as Float32Array)[0]).toBe(1);
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((f) => f.includes('acc') && f.endsWith('.tmp'))).toEqual([]);
    exe.dispose();
  });

  it('refuses truncated and corrupted files with an ArtifactError naming the file, and can fall back to .prev', async () => {
    const path = join(dir, 'small.safetensors');
    await smallCheckpoint(path, 1);
    await smallCheckpoint(path, 2);
    const good = readFileSync(path);
    const headerEnd = 8 + Number(good.readBigUInt64LE(0));
    const damaged: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['cut inside the length', good.subarray(0, 5)],
      ['cut inside the header', good.subarray(0, headerEnd - 20)],
      ['cut inside the data', good.subarray(0, headerEnd + 7)],
      ['missing its last byte', good.subarray(0, good.length - 1)],
      ['a flipped bit in a weight', Uint8Array.from(good, (b, i) => (i === headerEnd + 5 ? b ^ 0x10 : b))],
      ['a flipped bit in the last byte', Uint8Array.from(good, (b, i) => (i === good.length - 1 ? b ^ 1 : b))],
      ['an edited digest', new TextEncoder().encode(new TextDecoder().decode(good).replace(/(sha256\\":\\")([0-9a-f])/, (_, p, c) => p + (c === '0' ? '1' : '0')))],
      ['a byte of garbage in the header', Uint8Array.from(good, (b, i) => (i === 12 ? 0xff : b))],
      ['a byte appended', Uint8Array.from([...good, 0])],
    ];
    for (const [what, bytes] of damaged) {
      writeFileSync(path, bytes);
      const error = await thrown(() => readCheckpoint(path));
      expect(error, what).toBeInstanceOf(ArtifactError);
      expect(error.message.startsWith(`${path}: `), `${what}: ${error.message}`).toBe(true);
    }
    const exe = await Executable.load(await accumulatorPlan(4));
    await expect(loadCheckpoint(exe, path)).rejects.toThrow(ArtifactError);
    // With the fallback the previous checkpoint is found, then refused for its states: it is
    // another model's (w, n), and the message says so, naming the file it read.
    const error = await thrown(() => loadCheckpoint(exe, path, { fallbackToPrevious: true }));
    expect(error.message).toBe(`${path}.prev: no state 'acc', which plan 'accumulator' has (was it saved from another model?)`);
    exe.dispose();
    const fallback = await readCheckpoint(`${path}.prev`);
    expect(fallback.info.step).toBe(1);
  });

  it('refuses a checkpoint of another shape and writes nothing', async () => {
    const small = await Executable.load(await accumulatorPlan(4));
    const path = join(dir, 'acc4.safetensors');
    await small.run({ x: stepInput(4, 0) });
    await saveCheckpoint(small, path, { step: 1 });
    small.dispose();
    const big = await Executable.load(await accumulatorPlan(5));
    const before = Array.from((await big.readState('acc')).data);
    const error = await thrown(() => loadCheckpoint(big, path));
    expect(error).toBeInstanceOf(ArtifactError);
    expect(error.message).toBe(`${path}: state 'acc' is i32[4], plan 'accumulator' has i32[5]`);
    expect(Array.from((await big.readState('acc')).data)).toEqual(before);
    big.dispose();
  });

  it.each(['data', 'data-written', 'previous-kept'])('leaves the previous checkpoint loadable when the writer is killed (at %s)', async (stopAt) => {
    const path = join(dir, `killed-${stopAt}.safetensors`);
    await smallCheckpoint(path, 7);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/write_then_hang.ts', import.meta.url)), path, stopAt, '16'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('stopped')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before stopping: ${out} ${err}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const { info, states } = await readCheckpoint(path);
    expect(info.step).toBe(7);
    expect(Array.from(states.get('w')!.data)).toEqual([7, 1, 2, 3]);
    // The killed writer's temporary file is there until the next save clears it away.
    const temps = () => readdirSync(dir).filter((f) => f.startsWith(`.killed-${stopAt}.safetensors.`) && f.endsWith('.tmp'));
    expect(temps().length).toBeGreaterThan(0);
    await smallCheckpoint(path, 8);
    expect(temps(), readdirSync(dir).join(" ")).toEqual([]);
    expect((await readCheckpoint(path)).info.step).toBe(8);
    expect((await readCheckpoint(`${path}.prev`)).info.step).toBe(7);
  });
});
