import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDecoder } from '../../compiler/decoding/compile_decoder.js';
import { Gpt } from '../../compiler/dsl/index.js';
import { pastName } from '../../ir/decoder.js';
import type { DecoderPlans } from '../../ir/decoder.js';
import { InputError, UsageError } from '../../ir/errors.js';
import type { DawnDevice, KvCache } from '../../runtime/index.js';
import { DecoderSession, DeviceTensor, Executable, generate, getDefaultDevice } from '../../runtime/index.js';
import { thrown } from '../helpers/errors.js';

/** Bad input to a decoder: typed errors naming what is wrong, and the session still usable after. */

const CONFIG = { vocabSize: 10, contextLength: 8, layers: 1, heads: 2, dim: 8 };

let device: DawnDevice;
let plans: DecoderPlans;
let session: DecoderSession;

beforeAll(async () => {
  device = await getDefaultDevice();
  const model = new Gpt(CONFIG);
  model.namedParameters();
  model.initialize(2);
  plans = compileDecoder(model, { limits: device.limits });
  session = await DecoderSession.load(plans, device);
});

afterAll(() => session?.dispose());

const cacheOf = (length: number, override: Partial<Record<'key' | 'value', number[]>> = {}): KvCache => {
  const shape = (kind: 'key' | 'value') => override[kind] ?? [1, 2, length, 4];
  const tensor = (kind: 'key' | 'value') => ({ dtype: 'f32' as const, shape: shape(kind), data: new Float32Array(shape(kind).reduce((a, b) => a * b, 1)) });
  return { length, layers: [{ key: tensor('key'), value: tensor('value') }] };
};

describe('decoder errors', () => {
  it('a token id outside the vocabulary is an InputError naming the id and its index', async () => {
    const e = await thrown(() => session.prefill(Int32Array.from([1, 2, 10])));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe('prefill: token id 10 at index 2 is outside the vocabulary [0, 10)');
    await session.prefill(Int32Array.from([1, 2]));
    await expect(session.decode(Int32Array.from([-1]))).rejects.toThrow(/decode: token id -1 at index 0 is outside the vocabulary/);
    await expect(generate(session, Int32Array.from([3, 99]), { maxNewTokens: 2 })).rejects.toThrow(InputError);
  });

  it('a cache of the wrong shape is an InputError naming the tensor and the shape expected; nothing is written', async () => {
    await session.prefill(Int32Array.from([1, 2, 3]));
    const wrongValue = await thrown(() => session.writeCache(cacheOf(3, { value: [1, 2, 4, 4] })));
    expect(wrongValue).toBeInstanceOf(InputError);
    expect(wrongValue.message).toBe(`writeCache: '${pastName(0, 'value')}' must be f32[1,2,3,4], got f32[1,2,4,4]`);
    expect(() => session.writeCache(cacheOf(3, { key: [1, 3, 3, 4] }))).toThrow(/'past_key_values.0.key' must be f32\[1,2,3,4\], got f32\[1,3,3,4\]/);
    expect(() => session.writeCache({ length: 2, layers: [] })).toThrow(/expected 1 layers of key and value, got 0/);
    expect(() => session.writeCache(cacheOf(9))).toThrow(/length 9 must be a whole number in \[0, 8\]/);
    expect(session.length).toBe(3);
    // A cache of the right shape is taken, and decoding goes on from it.
    session.writeCache(cacheOf(4));
    expect(session.length).toBe(4);
    expect((await session.decode(Int32Array.from([5]))).length).toBe(CONFIG.vocabSize);
  });

  it('the decode plan run directly with a past of the wrong shape, two lengths or one past its bound is an InputError naming the input and the dim', async () => {
    const exe = await Executable.load(plans.decode, device);
    try {
      const inputs = { input_ids: Int32Array.from([1]), position_ids: Int32Array.from([3]) };
      const past = { [pastName(0, 'key')]: { dtype: 'f32' as const, shape: [1, 2, 3, 4], data: new Float32Array(24) } };
      const short = { dtype: 'f32' as const, shape: [1, 2, 2, 4], data: new Float32Array(16) };
      expect(() => exe.dispatch({ ...inputs, ...past, [pastName(0, 'value')]: short })).toThrow(/dim 'T' is 2 in input 'past_key_values.0.value' dim 2 but 3 in input 'past_key_values.0.key' dim 2/);
      const heads = { dtype: 'f32' as const, shape: [1, 3, 3, 4], data: new Float32Array(36) };
      expect(() => exe.dispatch({ ...inputs, ...past, [pastName(0, 'value')]: heads })).toThrow(/past_key_values.0.value/);
      const onDevice = DeviceTensor.create(device, 'f32', [1, 2, 5, 4]);
      expect(() => exe.dispatch({ ...inputs, ...past, [pastName(0, 'value')]: onDevice })).toThrow(/dim 'T' is 5 in input 'past_key_values.0.value' dim 2 but 3 in input 'past_key_values.0.key' dim 2/);
      onDevice.dispose();
      const tooLong = { dtype: 'f32' as const, shape: [1, 2, 8, 4], data: new Float32Array(64) };
      const error = await thrown(() => exe.dispatch({ ...inputs, [pastName(0, 'key')]: tooLong, [pastName(0, 'value')]: tooLong }));
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(/'T'/);
    } finally {
      exe.dispose();
    }
  });

  it('running past the context, decoding before a prefill and bad generation options are typed errors', async () => {
    session.reset();
    await expect(session.decode(Int32Array.from([1]))).rejects.toThrow(UsageError);
    await expect(session.prefill(new Int32Array(9))).rejects.toThrow(/a prompt of 9 tokens exceeds the context length 8/);
    await expect(generate(session, Int32Array.from([1, 2, 3]), { maxNewTokens: 7 })).rejects.toThrow(/need 9 positions; the context length is 8/);
    await expect(generate(session, Int32Array.from([1]), { maxNewTokens: 0 })).rejects.toThrow(/maxNewTokens/);
    await expect(generate(session, Int32Array.from([1]), { maxNewTokens: 2, sampling: { strategy: 'sample', topK: -3 } })).rejects.toThrow(/topK/);
    session.writeCache(cacheOf(8));
    await expect(session.decode(Int32Array.from([1]))).rejects.toThrow(/holds 8 positions, the context length/);
    const closed = await DecoderSession.load(plans, device);
    closed.dispose();
    await expect(closed.prefill(Int32Array.from([1]))).rejects.toThrow(/disposed/);
  });
});
