/** Autoregressive generation: a decoder's prefill and decode plans run over a key/value cache. */
export { DecoderSession } from './decoder_session.js';
export type { CacheResidency, DecoderSessionOptions, KvCache } from './decoder_session.js';
export { generate } from './generate.js';
export type { GenerateOptions, Generation } from './generate.js';
export { argMax, checkSampling, GREEDY, sampleToken, uniform } from './sampling.js';
export type { SamplingOptions } from './sampling.js';
