// tiled_conv_grad_weight: convGradWeight+mul
// workgroup size 16x4x1, dispatch 1x1x1, bindings [0, 1, 4, 6]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_m0 = (wid.y * 4u + lid.y) * 4u;
  let tile_q0 = wid.x * 32u + lid.x;
  let m0 = min(tile_m0 + 0u, 3u);
  let m1 = min(tile_m0 + 1u, 3u);
  let m2 = min(tile_m0 + 2u, 3u);
  let m3 = min(tile_m0 + 3u, 3u);
  let col4 = min(tile_q0 + 0u, 26u);
  let out5 = col4 / 9u;
  let in6 = col4 % 9u;
  let c7 = (in6 / 3u);
  let c8 = in6 % 3u;
  let col9 = min(tile_q0 + 16u, 26u);
  let out10 = col9 / 9u;
  let in11 = col9 % 9u;
  let c12 = (in11 / 3u);
  let c13 = in11 % 3u;
  var acc_0_0: f32 = 0.0f;
  var acc_0_1: f32 = 0.0f;
  var acc_1_0: f32 = 0.0f;
  var acc_1_1: f32 = 0.0f;
  var acc_2_0: f32 = 0.0f;
  var acc_2_1: f32 = 0.0f;
  var acc_3_0: f32 = 0.0f;
  var acc_3_1: f32 = 0.0f;
  for (var i14 = 0u; i14 < 2u; i14++) {
    for (var i15 = 0u; i15 < 6u; i15++) {
      for (var i16 = 0u; i16 < 6u; i16++) {
        let t17 = buf1[i14 * 144u + m0 * 36u + i15 * 6u + i16];
        let t18 = buf1[i14 * 144u + m1 * 36u + i15 * 6u + i16];
        let t19 = buf1[i14 * 144u + m2 * 36u + i15 * 6u + i16];
        let t20 = buf1[i14 * 144u + m3 * 36u + i15 * 6u + i16];
        let p21 = i32(i15 + c7) - 1i;
        let q22 = u32(clamp(p21, 0i, 5i));
        let p23 = i32(i16 + c8) - 1i;
        let q24 = u32(clamp(p23, 0i, 5i));
        let t25 = buf0[i14 * 108u + out5 * 36u + q22 * 6u + q24];
        let t26 = select(0.0f, t25, (p21 >= 0i && p21 < 6i) && (p23 >= 0i && p23 < 6i));
        let p27 = i32(i15 + c12) - 1i;
        let q28 = u32(clamp(p27, 0i, 5i));
        let p29 = i32(i16 + c13) - 1i;
        let q30 = u32(clamp(p29, 0i, 5i));
        let t31 = buf0[i14 * 108u + out10 * 36u + q28 * 6u + q30];
        let t32 = select(0.0f, t31, (p27 >= 0i && p27 < 6i) && (p29 >= 0i && p29 < 6i));
        acc_0_0 = fma(t17, t26, acc_0_0);
        acc_0_1 = fma(t17, t32, acc_0_1);
        acc_1_0 = fma(t18, t26, acc_1_0);
        acc_1_1 = fma(t18, t32, acc_1_1);
        acc_2_0 = fma(t19, t26, acc_2_0);
        acc_2_1 = fma(t19, t32, acc_2_1);
        acc_3_0 = fma(t20, t26, acc_3_0);
        acc_3_1 = fma(t20, t32, acc_3_1);
      }
    }
  }
  if (tile_m0 + 0u < 4u && tile_q0 + 0u < 27u) {
    let t33 = buf2[0u];
    let t34 = (acc_0_0 * t33);
    buf3[(tile_m0 + 0u) * 27u + col4] = t34;
  }
  if (tile_m0 + 0u < 4u && tile_q0 + 16u < 27u) {
    let t35 = buf2[0u];
    let t36 = (acc_0_1 * t35);
    buf3[(tile_m0 + 0u) * 27u + col9] = t36;
  }
  if (tile_m0 + 1u < 4u && tile_q0 + 0u < 27u) {
    let t37 = buf2[0u];
    let t38 = (acc_1_0 * t37);
    buf3[(tile_m0 + 1u) * 27u + col4] = t38;
  }
  if (tile_m0 + 1u < 4u && tile_q0 + 16u < 27u) {
    let t39 = buf2[0u];
    let t40 = (acc_1_1 * t39);
    buf3[(tile_m0 + 1u) * 27u + col9] = t40;
  }
  if (tile_m0 + 2u < 4u && tile_q0 + 0u < 27u) {
    let t41 = buf2[0u];
    let t42 = (acc_2_0 * t41);
    buf3[(tile_m0 + 2u) * 27u + col4] = t42;
  }
  if (tile_m0 + 2u < 4u && tile_q0 + 16u < 27u) {
    let t43 = buf2[0u];
    let t44 = (acc_2_1 * t43);
    buf3[(tile_m0 + 2u) * 27u + col9] = t44;
  }
  if (tile_m0 + 3u < 4u && tile_q0 + 0u < 27u) {
    let t45 = buf2[0u];
    let t46 = (acc_3_0 * t45);
    buf3[(tile_m0 + 3u) * 27u + col4] = t46;
  }
  if (tile_m0 + 3u < 4u && tile_q0 + 16u < 27u) {
    let t47 = buf2[0u];
    let t48 = (acc_3_1 * t47);
    buf3[(tile_m0 + 3u) * 27u + col9] = t48;
  }
}
