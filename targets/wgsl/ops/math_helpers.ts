/** WGSL helper functions for math WGSL lacks or gets wrong at the edges. */

/** erf, Abramowitz & Stegun 7.1.26 refined (|error| < 1.5e-7). */
export const ERF = `fn erf_f32(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0f / (1.0f + 0.3275911f * a);
  let y = 1.0f - (((((1.061405429f * t - 1.453152027f) * t) + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t * exp(-a * a);
  return select(-y, y, x >= 0.0f);
}
`;

/** tanh saturates: some drivers compute it as a ratio of exponentials that overflows to NaN. */
export const SAFE_TANH = `fn safe_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -15.0f, 15.0f));
}
`;

/** pow for any sign of base: negative bases with integral exponents, like C's pow. */
export const POW_F32 = `fn pow_f32(a: f32, b: f32) -> f32 {
  if (b == 0.0f) { return 1.0f; }
  let r = pow(abs(a), b);
  if (a >= 0.0f) { return r; }
  if (trunc(b) != b) { return df_nan(); }
  let odd = (trunc(b * 0.5f) * 2.0f) != b;
  return select(r, -r, odd);
}
`;

/** Integer pow by squaring; negative exponents give 0 (or ±1 for bases ±1), like numpy. */
export const POW_I32 = (t: 'i32' | 'u32' | 'bool' | 'f32' | 'f16'): string => `fn pow_${t}(a: ${t}, b: ${t}) -> ${t} {
  var base = a;
  var e = b;
  var r: ${t} = ${t}(1);
  ${t === 'i32' ? `if (e < 0i) { if (a == 1i) { return 1i; } if (a == -1i) { return select(1i, -1i, (e & 1i) != 0i); } return 0i; }` : ''}
  for (var i = 0u; i < 32u && e != ${t}(0); i++) {
    if ((e & ${t}(1)) != ${t}(0)) { r = r * base; }
    base = base * base;
    e = e >> ${t === 'i32' ? '1u' : `${t}(1)`};
  }
  return r;
}
`;
