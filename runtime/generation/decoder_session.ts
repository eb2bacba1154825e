import type { CacheKind, DecoderPlans, DecoderSignature } from '../../ir/decoder.js';
import { CACHE_KINDS, INPUT_IDS, LOGITS, pastName, POSITION_IDS, presentName } from '../../ir/decoder.js';
import { InputError, UsageError } from '../../ir/errors.js';
import type { HostTensor } from '../../ir/tensor.js';
import type { DawnDevice } from '../device.js';
import { getDefaultDevice } from '../device.js';
import type { RunFeed } from '../device_feeds.js';
import { DeviceTensor } from '../device_tensor.js';
import { Executable } from '../executable.js';

/**
 * One conversation with a decoder: a prefill, then one decode step per token, each reading the
 * key/value cache the step before left and appending to it.
 *
 * Where the cache lives between steps (`cache`):
 * - 'device' (default): one device tensor per layer and kind, with room for the whole context.
 *   Each step copies it into the plan's `past_key_values.*` inputs and its `present.*` outputs
 *   back, on the GPU, in the step's own submission; only the logits come to the host.
 * - 'host': the plans' inputs and outputs as they are: `present.*` read back after every step
 *   and written again as the next step's `past_key_values.*`, as an ONNX runtime session does.
 */

export type CacheResidency = 'device' | 'host';

export interface DecoderSessionOptions {
  readonly cache?: CacheResidency;
}

/** A cache on the host: per layer, key and value [batch, heads, length, headDim]. */
export interface KvCache {
  readonly length: number;
  readonly layers: readonly Readonly<Record<CacheKind, HostTensor>>[];
}

export class DecoderSession {
  readonly signature: DecoderSignature;
  readonly residency: CacheResidency;
  readonly #prefill: Executable;
  readonly #decode: Executable;
  /** 'device': the cache tensors, [layer][kind]. */
  readonly #deviceCache: Record<CacheKind, DeviceTensor>[] | undefined;
  /** 'host': the last step's `present.*`, by plan input name. */
  #hostCache: Record<string, HostTensor> = {};
  #length = 0;
  #disposed = false;

  private constructor(plans: DecoderPlans, prefill: Executable, decode: Executable, device: DawnDevice, residency: CacheResidency) {
    this.signature = plans.signature;
    this.residency = residency;
    this.#prefill = prefill;
    this.#decode = decode;
    const { batch, heads, headDim, contextLength } = plans.signature;
    this.#deviceCache =
      residency === 'device'
        ? Array.from({ length: plans.signature.layers }, (_, layer) => {
            const make = (kind: CacheKind) =>
              DeviceTensor.create(device, 'f32', [batch, heads, 0, headDim], { capacityShape: [batch, heads, contextLength, headDim], label: `kv cache ${presentName(layer, kind)}` });
            return { key: make('key'), value: make('value') };
          })
        : undefined;
  }

  static async load(plans: DecoderPlans, device?: DawnDevice, options: DecoderSessionOptions = {}): Promise<DecoderSession> {
    const residency = options.cache ?? 'device';
    if (residency !== 'device' && residency !== 'host') throw new UsageError(`DecoderSession: cache must be 'device' or 'host', got '${String(residency)}'`);
    const dev = device ?? (await getDefaultDevice());
    const [prefill, decode] = await Promise.allSettled([Executable.load(plans.prefill, dev), Executable.load(plans.decode, dev)]);
    if (prefill.status === 'rejected' || decode.status === 'rejected') {
      for (const loaded of [prefill, decode]) if (loaded.status === 'fulfilled') loaded.value.dispose();
      throw prefill.status === 'rejected' ? prefill.reason : (decode as PromiseRejectedResult).reason;
    }
    return new DecoderSession(plans, prefill.value, decode.value, dev, residency);
  }

  /** Positions held in the cache (0 before the prefill). */
  get length(): number {
    return this.#length;
  }

  /**
   * Runs the prompt (`batch` rows of equal length, row-major) through the prefill plan: the
   * cache then holds its positions. Returns the last position's logits, [batch, vocab] row-major.
   */
  async prefill(ids: Int32Array): Promise<Float32Array> {
    this.#assertLive('prefill');
    const { batch, contextLength } = this.signature;
    const length = ids.length / batch;
    if (!Number.isInteger(length) || length < 1) throw new InputError(`prefill: ${ids.length} token ids do not make ${batch} prompt rows of at least one token`);
    if (length > contextLength) throw new InputError(`prefill: a prompt of ${length} tokens exceeds the context length ${contextLength}`);
    this.#checkIds(ids, 'prefill');
    const positions = new Int32Array(ids.length).map((_, i) => i % length);
    const logits = await this.#run(this.#prefill, { [INPUT_IDS]: ids, [POSITION_IDS]: positions }, false);
    this.#length = length;
    return logits;
  }

  /** Appends one token per row (`ids`: [batch]) and returns the logits after it, [batch, vocab]. */
  async decode(ids: Int32Array): Promise<Float32Array> {
    this.#assertLive('decode');
    const { batch, contextLength } = this.signature;
    if (this.#length === 0) throw new UsageError('decode: the cache is empty; run prefill first (or writeCache)');
    if (ids.length !== batch) throw new InputError(`decode: expected ${batch} token ids (one per row), got ${ids.length}`);
    if (this.#length >= contextLength) throw new InputError(`decode: the cache holds ${this.#length} positions, the context length; no room for another`);
    this.#checkIds(ids, 'decode');
    const past = this.#length;
    const logits = await this.#run(this.#decode, { [INPUT_IDS]: ids, [POSITION_IDS]: new Int32Array(batch).fill(past) }, true);
    this.#length = past + 1;
    return logits;
  }

  /** A host copy of the cache. */
  async readCache(): Promise<KvCache> {
    this.#assertLive('readCache');
    const layers = await Promise.all(
      Array.from({ length: this.signature.layers }, async (_, layer) => {
        const read = (kind: CacheKind) => (this.#deviceCache ? this.#deviceCache[layer][kind].read() : Promise.resolve(this.#hostCache[pastName(layer, kind)] ?? this.#empty()));
        const [key, value] = await Promise.all([read('key'), read('value')]);
        return { key, value };
      }),
    );
    return { length: this.#length, layers };
  }

  /** Replaces the cache (one from `readCache`, or built elsewhere); checked whole before anything is written. */
  writeCache(cache: KvCache): void {
    this.#assertLive('writeCache');
    const { batch, heads, headDim, contextLength, layers } = this.signature;
    const given: readonly Readonly<Record<CacheKind, HostTensor>>[] | undefined = cache?.layers;
    if (!given || given.length !== layers) throw new InputError(`writeCache: expected ${layers} layers of key and value, got ${given ? given.length : 'none'}`);
    const length = cache.length;
    if (!Number.isInteger(length) || length < 0 || length > contextLength) throw new InputError(`writeCache: length ${length} must be a whole number in [0, ${contextLength}]`);
    const expected = [batch, heads, length, headDim];
    given.forEach((entry, layer) => {
      for (const kind of CACHE_KINDS) {
        const t: HostTensor | undefined = entry?.[kind];
        const name = pastName(layer, kind);
        if (!t || t.dtype !== 'f32' || t.shape.length !== 4 || t.shape.some((d, i) => d !== expected[i])) {
          throw new InputError(`writeCache: '${name}' must be f32[${expected.join(',')}], got ${t ? `${t.dtype}[${t.shape.join(',')}]` : 'nothing'}`);
        }
        if (t.data.length !== expected.reduce((a, b) => a * b, 1)) throw new InputError(`writeCache: '${name}' holds ${t.data.length} values for shape [${expected.join(',')}]`);
      }
    });
    given.forEach((entry, layer) => {
      for (const kind of CACHE_KINDS) {
        if (this.#deviceCache) this.#deviceCache[layer][kind].write(entry[kind]);
        else this.#hostCache[pastName(layer, kind)] = { ...entry[kind], shape: [...entry[kind].shape], data: entry[kind].data.slice() };
      }
    });
    this.#length = length;
  }

  /** Empties the cache (the next call is a prefill). */
  reset(): void {
    this.#length = 0;
    this.#hostCache = {};
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#prefill.dispose();
    this.#decode.dispose();
    for (const layer of this.#deviceCache ?? []) for (const kind of CACHE_KINDS) layer[kind].dispose();
  }

  /** Runs a step and returns its logits; the cache is read from and written to where it lives. */
  async #run(executable: Executable, inputs: Record<string, RunFeed>, readsCache: boolean): Promise<Float32Array> {
    const layers = Array.from({ length: this.signature.layers }, (_, layer) => layer);
    const cacheNames = layers.flatMap((layer) => CACHE_KINDS.map((kind) => ({ layer, kind, past: pastName(layer, kind), present: presentName(layer, kind) })));
    if (this.#deviceCache) {
      const cache = this.#deviceCache;
      const feeds = readsCache ? Object.fromEntries(cacheNames.map((c) => [c.past, cache[c.layer][c.kind]])) : {};
      const into = Object.fromEntries(cacheNames.map((c) => [c.present, cache[c.layer][c.kind]]));
      const out = await executable.run({ ...inputs, ...feeds }, { outputs: [LOGITS], into });
      return out[LOGITS].data as Float32Array;
    }
    const feeds = readsCache ? Object.fromEntries(cacheNames.map((c) => [c.past, this.#hostCache[c.past]])) : {};
    const out = await executable.run({ ...inputs, ...feeds });
    this.#hostCache = Object.fromEntries(cacheNames.map((c) => [c.past, out[c.present]]));
    return out[LOGITS].data as Float32Array;
  }

  #empty(): HostTensor {
    const { batch, heads, headDim } = this.signature;
    return { dtype: 'f32', shape: [batch, heads, 0, headDim], data: new Float32Array(0) };
  }

  #checkIds(ids: Int32Array, where: string): void {
    if (!(ids instanceof Int32Array)) throw new InputError(`${where}: token ids must be an Int32Array`);
    const vocab = this.signature.vocabSize;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocab) throw new InputError(`${where}: token id ${ids[i]} at index ${i} is outside the vocabulary [0, ${vocab})`);
    }
  }

  #assertLive(where: string): void {
    if (this.#disposed) throw new UsageError(`${where}: the decoder session was disposed`);
  }
}
