import { PHILOX_MULTIPLIERS, PHILOX_ROUNDS, PHILOX_WEYL } from '../../../ir/philox.js';
import { derivedAccess } from '../access.js';
import { expr, literal } from '../expr.js';
import { linearIndex } from '../kernel_builder.js';
import type { LowerContext } from '../lowering.js';
import { registerLowering } from '../lowering.js';

/**
 * Philox-4x32-10 in WGSL, word 0 only. WGSL has no 64-bit integers, so the high half of each
 * 32×32 product is assembled from 16-bit halves, exactly as the reference interpreter does:
 * both produce the same bits for the same (key, salt, element index).
 */
const MULHI = `fn philox_mulhi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let cross = ((a_lo * b_lo) >> 16u) + ((a_lo * b_hi) & 0xffffu) + ((a_hi * b_lo) & 0xffffu);
  return a_hi * b_hi + ((a_lo * b_hi) >> 16u) + ((a_hi * b_lo) >> 16u) + (cross >> 16u);
}
`;

const hex = (x: number) => `0x${x.toString(16)}u`;

const PHILOX = `fn philox_word0(key0: u32, key1: u32, counter0: u32, counter1: u32) -> u32 {
  var c = vec4<u32>(counter0, counter1, 0u, 0u);
  var k0 = key0;
  var k1 = key1;
  for (var r = 0u; r < ${PHILOX_ROUNDS}u; r++) {
    let hi0 = philox_mulhi(${hex(PHILOX_MULTIPLIERS[0])}, c.x);
    let lo0 = ${hex(PHILOX_MULTIPLIERS[0])} * c.x;
    let hi1 = philox_mulhi(${hex(PHILOX_MULTIPLIERS[1])}, c.z);
    let lo1 = ${hex(PHILOX_MULTIPLIERS[1])} * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
    k0 = k0 + ${hex(PHILOX_WEYL[0])};
    k1 = k1 + ${hex(PHILOX_WEYL[1])};
  }
  return c.x;
}
`;

function philoxAt(ctx: LowerContext, coords: readonly string[]): string {
  const { b, node, inputs, outputs } = ctx;
  b.helper('philox_mulhi', MULHI);
  b.helper('philox_word0', PHILOX);
  const key = inputs[0];
  const k0 = key.at(['0u']).code;
  const k1 = key.at(['1u']).code;
  const index = linearIndex(b, coords, outputs[0].shape);
  return `philox_word0(${k0}, ${k1}, ${index}, ${literal(node.attrs.salt as number, 'u32').code})`;
}

registerLowering('randomBits', (ctx) => {
  const out = ctx.outputs[0];
  return [derivedAccess(ctx.b, out.dtype, out.shape, (coords) => expr(philoxAt(ctx, coords), 'u32'))];
});

registerLowering('randomUniform', (ctx) => {
  const out = ctx.outputs[0];
  const low = Math.fround(ctx.node.attrs.low as number);
  const span = Math.fround(Math.fround(ctx.node.attrs.high as number) - low);
  return [
    derivedAccess(ctx.b, out.dtype, out.shape, (coords) => {
      const u = ctx.b.let(expr(`f32(${philoxAt(ctx, coords)} >> 8u) * ${literal(2 ** -24, 'f32').code}`, 'f32'));
      if (low === 0 && span === 1) return u;
      return expr(`(${literal(low, 'f32').code} + ${literal(span, 'f32').code} * ${u.code})`, 'f32');
    }),
  ];
});
