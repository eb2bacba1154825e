// tiled_conv_grad_input: convGradInput
// workgroup size 64x1x1, dispatch 1x3x1, bindings [0, 1, 3]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
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
  let n22 = 8u + (nwg.x >> 31u);
  for (var i21 = 0u; i21 < n22; i21++) {
    let n24 = 3u + (nwg.x >> 31u);
    for (var i23 = 0u; i23 < n24; i23++) {
      for (var i25 = 0u; i25 < n24; i25++) {
        let t26 = buf1[i21 * 27u + m0 * 9u + i23 * 3u + i25];
        let t27 = i32(c4) + 1i - i32(i23);
        let w28 = u32(clamp(t27, 0i, 5i));
        let t29 = i32(c5) + 1i - i32(i25);
        let w30 = u32(clamp(t29, 0i, 5i));
        let t31 = buf0[i21 * 36u + w28 * 6u + w30];
        let t32 = select(0.0f, t31, (t27 >= 0i) && (t27 < 6i) && (t29 >= 0i) && (t29 < 6i));
        let t33 = i32(c9) + 1i - i32(i23);
        let w34 = u32(clamp(t33, 0i, 5i));
        let t35 = i32(c10) + 1i - i32(i25);
        let w36 = u32(clamp(t35, 0i, 5i));
        let t37 = buf0[i21 * 36u + w34 * 6u + w36];
        let t38 = select(0.0f, t37, (t33 >= 0i) && (t33 < 6i) && (t35 >= 0i) && (t35 < 6i));
        let t39 = i32(c14) + 1i - i32(i23);
        let w40 = u32(clamp(t39, 0i, 5i));
        let t41 = i32(c15) + 1i - i32(i25);
        let w42 = u32(clamp(t41, 0i, 5i));
        let t43 = buf0[i21 * 36u + w40 * 6u + w42];
        let t44 = select(0.0f, t43, (t39 >= 0i) && (t39 < 6i) && (t41 >= 0i) && (t41 < 6i));
        let t45 = i32(c19) + 1i - i32(i23);
        let w46 = u32(clamp(t45, 0i, 5i));
        let t47 = i32(c20) + 1i - i32(i25);
        let w48 = u32(clamp(t47, 0i, 5i));
        let t49 = buf0[i21 * 36u + w46 * 6u + w48];
        let t50 = select(0.0f, t49, (t45 >= 0i) && (t45 < 6i) && (t47 >= 0i) && (t47 < 6i));
        acc_0_0 = acc_0_0 + t26 * t32;
        acc_0_1 = acc_0_1 + t26 * t38;
        acc_0_2 = acc_0_2 + t26 * t44;
        acc_0_3 = acc_0_3 + t26 * t50;
      }
    }
  }
  if ((tile_m0 + 0u) < (wid.z + 1u) * 3u && tile_p0 + 0u < 36u) {
    buf2[(out2 * 3u + (tile_m0 + 0u)) * 36u + in3] = (acc_0_0);
  }
  if ((tile_m0 + 0u) < (wid.z + 1u) * 3u && tile_p0 + 64u < 36u) {
    buf2[(out7 * 3u + (tile_m0 + 0u)) * 36u + in8] = (acc_0_1);
  }
  if ((tile_m0 + 0u) < (wid.z + 1u) * 3u && tile_p0 + 128u < 36u) {
    buf2[(out12 * 3u + (tile_m0 + 0u)) * 36u + in13] = (acc_0_2);
  }
  if ((tile_m0 + 0u) < (wid.z + 1u) * 3u && tile_p0 + 192u < 36u) {
    buf2[(out17 * 3u + (tile_m0 + 0u)) * 36u + in18] = (acc_0_3);
  }
}
