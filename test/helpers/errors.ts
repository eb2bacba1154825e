import type { HostTensor } from '../../ir/index.js';

/** Runs `fn` and returns what it threw (sync or async), so messages can be checked. */
export async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

/** An f32 tensor's bit patterns, for bit-for-bit comparisons (NaN payloads and -0 included). */
export function bits(t: HostTensor): number[] {
  return Array.from(new Uint32Array((t.data as Float32Array).slice().buffer));
}
