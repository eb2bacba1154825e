import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDawnflowError } from '../../ir/index.js';
import { Executable, getDefaultDevice, InputError, UsageError } from '../../runtime/index.js';
import { addPlan, binaryKernel, grid, HandPlan } from '../runtime/hand_plan.js';

/**
 * Fuzzing what callers hand to `run()`: wrong array types and lengths, NaN and infinities,
 * detached and shared buffers, views at odd offsets, HostTensor look-alikes with broken fields,
 * and things that are not tensors at all. Each run either returns the right values (checked
 * against plain JS, NaN and infinities included) or is refused with an InputError/UsageError;
 * nothing else, and no GPU memory stays behind.
 */

const SEED = 4_242;
const N = 6;

type ArrayKind = 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint32Array' | 'Uint8Array' | 'Int8Array' | 'Uint16Array' | 'BigInt64Array' | 'Uint8ClampedArray' | 'DataView';

interface ValueSpec {
  readonly form: 'typed' | 'hostTensor' | 'plainArray' | 'scalar' | 'null' | 'undefined' | 'string' | 'object';
  readonly kind: ArrayKind;
  readonly length: number;
  readonly values: readonly number[];
  readonly storage: 'plain' | 'shared' | 'detached' | 'offsetView';
  readonly dtype: string;
  readonly shape: unknown;
}

const SPECIAL = [NaN, Infinity, -Infinity, -0, 3.4e38, -3.4e38, 1e-45, 2 ** 31, -(2 ** 31) - 1, 0.5];

const anyValue: fc.Arbitrary<ValueSpec> = fc.record({
  form: fc.constantFrom('typed', 'typed', 'typed', 'hostTensor', 'hostTensor', 'plainArray', 'scalar', 'null', 'undefined', 'string', 'object'),
  kind: fc.constantFrom('Float32Array', 'Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array', 'Uint8Array', 'Int8Array', 'Uint16Array', 'BigInt64Array', 'Uint8ClampedArray', 'DataView'),
  length: fc.oneof(fc.constant(N), fc.constant(N), fc.integer({ min: 0, max: 2 * N })),
  values: fc.array(fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(...SPECIAL)), { minLength: 2 * N, maxLength: 2 * N }),
  storage: fc.constantFrom('plain', 'plain', 'shared', 'detached', 'offsetView'),
  dtype: fc.constantFrom('f32', 'f32', 'i32', 'bool', 'f64', ''),
  shape: fc.constantFrom([N], [N], [2, 3], [N, 1], [], null, 'N', [-N], [N + 0.5], [NaN]),
});

/** A well-formed f32 input (as a bare array or a HostTensor), its values as hostile as any. */
const validValue: fc.Arbitrary<ValueSpec> = fc.record({
  form: fc.constantFrom('typed' as const, 'hostTensor' as const),
  kind: fc.constantFrom('Float32Array' as const, 'Float64Array' as const),
  length: fc.constant(N),
  values: anyValue.map((v) => v.values),
  storage: fc.constantFrom('plain' as const, 'shared' as const, 'offsetView' as const),
  dtype: fc.constant('f32'),
  shape: fc.constant([N]),
});

/** A well-formed i32 input, with values past the i32 range (stored wrapped, as Int32Array does). */
const validI32Value: fc.Arbitrary<ValueSpec> = fc.record({
  form: fc.constantFrom('typed' as const, 'hostTensor' as const),
  kind: fc.constant('Int32Array' as const),
  length: fc.constant(N),
  values: anyValue.map((v) => v.values),
  storage: fc.constantFrom('plain' as const, 'shared' as const, 'offsetView' as const),
  dtype: fc.constant('i32'),
  shape: fc.constant([N]),
});

const valueSpec: fc.Arbitrary<ValueSpec> = fc.oneof({ weight: 3, arbitrary: validValue }, { weight: 2, arbitrary: anyValue });

function materialize(spec: ValueSpec): unknown {
  switch (spec.form) {
    case 'null':
      return null;
    case 'undefined':
      return undefined;
    case 'string':
      return 'x'.repeat(spec.length);
    case 'scalar':
      return spec.values[0];
    case 'object':
      return { length: spec.length, 0: 1 };
    case 'plainArray':
      return spec.values.slice(0, spec.length);
    default:
      break;
  }
  const Ctor = globalThis[spec.kind] as unknown as { new (b: ArrayBufferLike, o: number, n: number): ArrayBufferView; BYTES_PER_ELEMENT?: number };
  const size = Ctor.BYTES_PER_ELEMENT ?? 1;
  const offset = spec.storage === 'offsetView' ? size * 3 : 0;
  const buffer = spec.storage === 'shared' ? new SharedArrayBuffer(offset + spec.length * size) : new ArrayBuffer(offset + spec.length * size);
  const view = new Ctor(buffer, offset, spec.length);
  if (!(view instanceof DataView)) {
    const target = view as unknown as { [i: number]: number | bigint };
    for (let i = 0; i < spec.length; i++) target[i] = spec.kind === 'BigInt64Array' ? BigInt(Math.trunc(Number.isFinite(spec.values[i]) ? spec.values[i] % 1e15 : 0)) : spec.values[i];
  }
  if (spec.storage === 'detached' && buffer instanceof ArrayBuffer) structuredClone(buffer, { transfer: [buffer] });
  if (spec.form === 'hostTensor') return { dtype: spec.dtype, shape: spec.shape, data: view };
  return view;
}

/** Reads element i of an input the way run() should have: as an f32 value. */
function asF32(value: unknown, i: number): number {
  const data = (value && typeof value === 'object' && 'data' in value ? (value as { data: ArrayLike<number> }).data : value) as ArrayLike<number>;
  return Math.fround(data[i]);
}

describe('run() input fuzz', () => {
  let exe: Executable;
  let bools: Executable;
  let before = 0;
  beforeAll(async () => {
    before = (await getDefaultDevice()).allocatedBytes;
    exe = await Executable.load(addPlan(N, 'fuzz_add'));
    const p = new HandPlan();
    const [a, b, out] = ['a', 'b', 'out'].map((name) => p.tensor(name, 'i32', [N]));
    p.step(p.kernel('add_i32', binaryKernel('i32', '+'), 3), [a, b, out], grid(N)).input('a', a).input('b', b).output('out', out);
    bools = await Executable.load(p.build('fuzz_add_i32'));
  });
  afterAll(async () => {
    exe.dispose();
    bools.dispose();
    expect((await getDefaultDevice()).allocatedBytes).toBe(before);
  });

  it('returns a + b (NaN and infinities as IEEE says) or refuses with a typed error naming the input', async () => {
    const counts = { ran: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(valueSpec, valueSpec, fc.constantFrom('normal', 'normal', 'normal', 'extraKey', 'missingKey', 'notAnObject'), async (sa, sb, shape) => {
        const a = materialize(sa);
        const b = materialize(sb);
        const inputs: unknown = shape === 'normal' ? { a, b } : shape === 'extraKey' ? { a, b, c: a } : shape === 'missingKey' ? { a } : [a, b];
        let result: Awaited<ReturnType<Executable['run']>>;
        try {
          result = await exe.run(inputs as never);
        } catch (e) {
          if (!isDawnflowError(e)) throw new Error(`untyped ${String(e)}`, { cause: e });
          expect(e instanceof InputError || e instanceof UsageError).toBe(true);
          expect(e.message).toMatch(/^plan 'fuzz_add'/);
          counts.refused++;
          return;
        }
        counts.ran++;
        expect(result.out.shape).toEqual([N]);
        for (let i = 0; i < N; i++) {
          const expected = Math.fround(asF32(a, i) + asF32(b, i));
          const got = result.out.data[i];
          if (Number.isNaN(expected)) expect(Number.isNaN(got)).toBe(true);
          else expect(got).toBe(expected);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
    console.log(`run() input fuzz: ${counts.ran} ran, ${counts.refused} refused with typed errors, 0 untyped`);
    expect(counts.ran).toBeGreaterThan(10);
    expect(counts.refused).toBeGreaterThan(100);
  });

  it('takes i32 inputs only as Int32Array, and wraps exactly', async () => {
    const counts = { ran: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 2, arbitrary: validI32Value }, { weight: 2, arbitrary: anyValue }, { weight: 1, arbitrary: validValue }), async (spec) => {
        const a = materialize(spec);
        const b = Int32Array.from({ length: N }, (_, i) => i - 3);
        const data = a && typeof a === 'object' && 'data' in a ? (a as { data: unknown }).data : a;
        // A bare Int32Array of the right length, on live storage: nothing to refuse.
        const plainlyValid = spec.form === 'typed' && spec.kind === 'Int32Array' && spec.length === N && spec.storage !== 'detached';
        let out: Awaited<ReturnType<Executable['run']>>['out'];
        try {
          ({ out } = await bools.run({ a, b } as never));
        } catch (e) {
          if (!isDawnflowError(e)) throw new Error(`untyped ${String(e)}`, { cause: e });
          expect(e instanceof InputError || e instanceof UsageError).toBe(true);
          expect(e.message).toMatch(/^plan 'fuzz_add_i32'/);
          expect(plainlyValid, `refused a plain Int32Array: ${e.message}`).toBe(false);
          counts.refused++;
          return;
        }
        counts.ran++;
        expect(data, 'only an Int32Array is taken as i32').toBeInstanceOf(Int32Array);
        const ints = data as Int32Array;
        expect(out.dtype).toBe('i32');
        for (let i = 0; i < N; i++) expect(out.data[i]).toBe((ints[i] + b[i]) | 0);
      }),
      { seed: SEED + 1, numRuns: 200 },
    );
    console.log(`run() i32 input fuzz: ${counts.ran} ran, ${counts.refused} refused with typed errors, 0 untyped`);
    expect(counts.ran).toBeGreaterThan(30);
    expect(counts.refused).toBeGreaterThan(30);
  });
});
