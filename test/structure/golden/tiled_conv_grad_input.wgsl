// tiled_conv_grad_input: convGradInput
// workgroup size 64x1x1, dispatch 1x3x1, bindings [0, 1, 3]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_m0 = wid.z * 3u + (wid.y * 1u + lid.y) * 1u;
  let tile_p0 = wid.x * 256u + lid.x;
  let m0 = min(tile_m0 + 0u, (wid.z + 1u) * 3u - 1u);
  let col1 = min(tile_p0 + 0u, 35u);
  let out2 = col1 / 36u;
  let in3 = col1 % 36u;
  let c4 = (in3 / 6u);
  let c5 = in3 % 6u;
  let col6 = min(tile_p0 + 64u, 35u);
  let out7 = col6 / 36u;
  let in8 = col6 % 36u;
  let c9 = (in8 / 6u);
  let c10 = in8 % 6u;
  let col11 = min(tile_p0 + 128u, 35u);
  let out12 = col11 / 36u;
  let in13 = col11 % 36u;
  let c14 = (in13 / 6u);
  let c15 = in13 % 6u;
  let col16 = min(tile_p0 + 192u, 35u);
  let out17 = col16 / 36u;
  let in18 = col16 % 36u;
  let c19 = (in18 / 6u);
  let c20 = in18 % 6u;
  var acc_0_0: f32 = 0.0f;
  var acc_0_1: f32 = 0.0f;
  var acc_0_2: f32 = 0.0f;
  var acc_0_3: f32 = 0.0f;
  for (var i21 = 0u; i21 < 8u; i21++) {
    for (var i22 = 0u; i22 < 3u; i22++) {
      for (var i23 = 0u; i23 < 3u; i23++) {
        let t24 = buf1[i21 * 27u + m0 * 9u + i22 * 3u + i23];
        let t25 = i32(c4) + 1i - i32(i22);
        let w26 = u32(clamp(t25, 0i, 5i));
        let t27 = i32(c5) + 1i - i32(i23);
        let w28 = u32(clamp(t27, 0i, 5i));
        let t29 = buf0[i21 * 36u + w26 * 6u + w28];
        let t30 = select(0.0f, t29, (t25 >= 0i) && (t25 < 6i) && (t27 >= 0i) && (t27 < 6i));
        let t31 = i32(c9) + 1i - i32(i22);
        let w32 = u32(clamp(t31, 0i, 5i));
        let t33 = i32(c10) + 1i - i32(i23);
        let w34 = u32(clamp(t33, 0i, 5i));
        let t35 = buf0[i21 * 36u + w32 * 6u + w34];
        let t36 = select(0.0f, t35, (t31 >= 0i) && (t31 < 6i) && (t33 >= 0i) && (t33 < 6i));
        let t37 = i32(c14) + 1i - i32(i22);
        let w38 = u32(clamp(t37, 0i, 5i));
        let t39 = i32(c15) + 1i - i32(i23);
        let w40 = u32(clamp(t39, 0i, 5i));
        let t41 = buf0[i21 * 36u + w38 * 6u + w40];
        let t42 = select(0.0f, t41, (t37 >= 0i) && (t37 < 6i) && (t39 >= 0i) && (t39 < 6i));
        let t43 = i32(c19) + 1i - i32(i22);
        let w44 = u32(clamp(t43, 0i, 5i));
        let t45 = i32(c20) + 1i - i32(i23);
        let w46 = u32(clamp(t45, 0i, 5i));
        let t47 = buf0[i21 * 36u + w44 * 6u + w46];
        let t48 = select(0.0f, t47, (t43 >= 0i) && (t43 < 6i) && (t45 >= 0i) && (t45 < 6i));
        acc_0_0 = acc_0_0 + t24 * t30;
        acc_0_1 = acc_0_1 + t24 * t36;
        acc_0_2 = acc_0_2 + t24 * t42;
        acc_0_3 = acc_0_3 + t24 * t48;
      }
    }
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 3u && tile_p0 + 0u < 36u) {
    buf2[(out2 * 3u + (tile_m0 + 0u)) * 36u + in3] = (acc_0_0);
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 3u && tile_p0 + 64u < 36u) {
    buf2[(out7 * 3u + (tile_m0 + 0u)) * 36u + in8] = (acc_0_1);
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 3u && tile_p0 + 128u < 36u) {
    buf2[(out12 * 3u + (tile_m0 + 0u)) * 36u + in13] = (acc_0_2);
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 3u && tile_p0 + 192u < 36u) {
    buf2[(out17 * 3u + (tile_m0 + 0u)) * 36u + in18] = (acc_0_3);
  }
}
