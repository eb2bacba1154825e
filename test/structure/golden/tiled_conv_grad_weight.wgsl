// tiled_conv_grad_weight: convGradWeight+mul
// workgroup size 16x4x1, dispatch 1x1x1, bindings [0, 1, 4, 6]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
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
  let n15 = 2u + (nwg.x >> 31u);
  for (var i14 = 0u; i14 < n15; i14++) {
    let n17 = 6u + (nwg.x >> 31u);
    for (var i16 = 0u; i16 < n17; i16++) {
      for (var i18 = 0u; i18 < n17; i18++) {
        let t19 = buf1[i14 * 144u + m0 * 36u + i16 * 6u + i18];
        let t20 = buf1[i14 * 144u + m1 * 36u + i16 * 6u + i18];
        let t21 = buf1[i14 * 144u + m2 * 36u + i16 * 6u + i18];
        let t22 = buf1[i14 * 144u + m3 * 36u + i16 * 6u + i18];
        let p23 = i32(i16 + c7) - 1i;
        let q24 = u32(clamp(p23, 0i, 5i));
        let p25 = i32(i18 + c8) - 1i;
        let q26 = u32(clamp(p25, 0i, 5i));
        let t27 = buf0[i14 * 108u + out5 * 36u + q24 * 6u + q26];
        let t28 = select(0.0f, t27, (p23 >= 0i && p23 < 6i) && (p25 >= 0i && p25 < 6i));
        let p29 = i32(i16 + c12) - 1i;
        let q30 = u32(clamp(p29, 0i, 5i));
        let p31 = i32(i18 + c13) - 1i;
        let q32 = u32(clamp(p31, 0i, 5i));
        let t33 = buf0[i14 * 108u + out10 * 36u + q30 * 6u + q32];
        let t34 = select(0.0f, t33, (p29 >= 0i && p29 < 6i) && (p31 >= 0i && p31 < 6i));
        acc_0_0 = fma(t19, t28, acc_0_0);
        acc_0_1 = fma(t19, t34, acc_0_1);
        acc_1_0 = fma(t20, t28, acc_1_0);
        acc_1_1 = fma(t20, t34, acc_1_1);
        acc_2_0 = fma(t21, t28, acc_2_0);
        acc_2_1 = fma(t21, t34, acc_2_1);
        acc_3_0 = fma(t22, t28, acc_3_0);
        acc_3_1 = fma(t22, t34, acc_3_1);
      }
    }
  }
  var tile35: array<f32, 8>;
  tile35[0] = acc_0_0;
  tile35[1] = acc_0_1;
  tile35[2] = acc_1_0;
  tile35[3] = acc_1_1;
  tile35[4] = acc_2_0;
  tile35[5] = acc_2_1;
  tile35[6] = acc_3_0;
  tile35[7] = acc_3_1;
  let n37 = 4u + (nwg.x >> 31u);
  for (var i36 = 0u; i36 < n37; i36++) {
    let a38 = tile35[i36 * 2u + 0u];
    if ((tile_m0 + i36) < 4u && tile_q0 + 0u < 27u) {
      let t39 = buf2[0u];
      let t40 = (a38 * t39);
      buf3[(tile_m0 + i36) * 27u + col4] = t40;
    }
    let a41 = tile35[i36 * 2u + 1u];
    if ((tile_m0 + i36) < 4u && tile_q0 + 16u < 27u) {
      let t42 = buf2[0u];
      let t43 = (a41 * t42);
      buf3[(tile_m0 + i36) * 27u + col9] = t43;
    }
  }
}
