import type { HostTensor } from '../../../ir/index.js';
import { numel } from '../../../ir/index.js';
import { philox4x32 } from '../../../ir/philox.js';
import { scratch } from '../scratch.js';
import { registerRef } from '../kernels.js';

function words(key: HostTensor, salt: number, n: number): Uint32Array {
  const k = [Number(key.data[0]), Number(key.data[1])];
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = philox4x32([i, salt, 0, 0], k)[0];
  return out;
}

registerRef('randomBits', ([key], { node, outputs }) => {
  const out = outputs[0];
  return [{ dtype: 'u32', shape: out.shape, data: words(key, node.attrs.salt as number, numel(out.shape)) }];
});

registerRef('randomUniform', ([key], { node, outputs }) => {
  const out = outputs[0];
  const n = numel(out.shape);
  const bits = words(key, node.attrs.salt as number, n);
  const low = Math.fround(node.attrs.low as number);
  const span = Math.fround(Math.fround(node.attrs.high as number) - low);
  const data = scratch('f32', n);
  // Rounded step by step as f32 arithmetic would: u is exact, the affine map rounds twice.
  for (let i = 0; i < n; i++) data[i] = Math.fround(low + Math.fround(span * ((bits[i] >>> 8) * 2 ** -24)));
  return [{ dtype: 'f32', shape: out.shape, data }];
});
