// tiled_matmul: transpose+matmul+mul
// workgroup size 16x4x1, dispatch 1x1x2, bindings [0, 3, 6, 8]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_row0 = (wid.y * 4u + lid.y) * 4u;
  let tile_col0 = wid.x * 64u + lid.x;
  let c0 = wid.z;
  let r1 = min(tile_row0 + 0u, 4u);
  let r2 = min(tile_row0 + 1u, 4u);
  let r3 = min(tile_row0 + 2u, 4u);
  let r4 = min(tile_row0 + 3u, 4u);
  let c5 = min(tile_col0 + 0u, 6u);
  let c6 = min(tile_col0 + 16u, 6u);
  let c7 = min(tile_col0 + 32u, 6u);
  let c8 = min(tile_col0 + 48u, 6u);
  var acc_0_0: f32 = 0.0f;
  var acc_0_1: f32 = 0.0f;
  var acc_0_2: f32 = 0.0f;
  var acc_0_3: f32 = 0.0f;
  var acc_1_0: f32 = 0.0f;
  var acc_1_1: f32 = 0.0f;
  var acc_1_2: f32 = 0.0f;
  var acc_1_3: f32 = 0.0f;
  var acc_2_0: f32 = 0.0f;
  var acc_2_1: f32 = 0.0f;
  var acc_2_2: f32 = 0.0f;
  var acc_2_3: f32 = 0.0f;
  var acc_3_0: f32 = 0.0f;
  var acc_3_1: f32 = 0.0f;
  var acc_3_2: f32 = 0.0f;
  var acc_3_3: f32 = 0.0f;
  for (var i9 = 0u; i9 < 6u; i9++) {
    let t10 = buf0[c0 * 30u + i9 * 5u + r1];
    let t11 = buf0[c0 * 30u + i9 * 5u + r2];
    let t12 = buf0[c0 * 30u + i9 * 5u + r3];
    let t13 = buf0[c0 * 30u + i9 * 5u + r4];
    let t14 = buf1[i9 * 7u + c5];
    let t15 = buf1[i9 * 7u + c6];
    let t16 = buf1[i9 * 7u + c7];
    let t17 = buf1[i9 * 7u + c8];
    acc_0_0 = acc_0_0 + t10 * t14;
    acc_0_1 = acc_0_1 + t10 * t15;
    acc_0_2 = acc_0_2 + t10 * t16;
    acc_0_3 = acc_0_3 + t10 * t17;
    acc_1_0 = acc_1_0 + t11 * t14;
    acc_1_1 = acc_1_1 + t11 * t15;
    acc_1_2 = acc_1_2 + t11 * t16;
    acc_1_3 = acc_1_3 + t11 * t17;
    acc_2_0 = acc_2_0 + t12 * t14;
    acc_2_1 = acc_2_1 + t12 * t15;
    acc_2_2 = acc_2_2 + t12 * t16;
    acc_2_3 = acc_2_3 + t12 * t17;
    acc_3_0 = acc_3_0 + t13 * t14;
    acc_3_1 = acc_3_1 + t13 * t15;
    acc_3_2 = acc_3_2 + t13 * t16;
    acc_3_3 = acc_3_3 + t13 * t17;
  }
  if (tile_row0 + 0u < 5u && tile_col0 + 0u < 7u) {
    let t18 = buf2[((tile_col0 + 0u))];
    let t19 = (acc_0_0 * t18);
    buf3[wid.z * 35u + (tile_row0 + 0u) * 7u + tile_col0 + 0u] = t19;
  }
  if (tile_row0 + 0u < 5u && tile_col0 + 16u < 7u) {
    let t20 = buf2[((tile_col0 + 16u))];
    let t21 = (acc_0_1 * t20);
    buf3[wid.z * 35u + (tile_row0 + 0u) * 7u + tile_col0 + 16u] = t21;
  }
  if (tile_row0 + 0u < 5u && tile_col0 + 32u < 7u) {
    let t22 = buf2[((tile_col0 + 32u))];
    let t23 = (acc_0_2 * t22);
    buf3[wid.z * 35u + (tile_row0 + 0u) * 7u + tile_col0 + 32u] = t23;
  }
  if (tile_row0 + 0u < 5u && tile_col0 + 48u < 7u) {
    let t24 = buf2[((tile_col0 + 48u))];
    let t25 = (acc_0_3 * t24);
    buf3[wid.z * 35u + (tile_row0 + 0u) * 7u + tile_col0 + 48u] = t25;
  }
  if (tile_row0 + 1u < 5u && tile_col0 + 0u < 7u) {
    let t26 = buf2[((tile_col0 + 0u))];
    let t27 = (acc_1_0 * t26);
    buf3[wid.z * 35u + (tile_row0 + 1u) * 7u + tile_col0 + 0u] = t27;
  }
  if (tile_row0 + 1u < 5u && tile_col0 + 16u < 7u) {
    let t28 = buf2[((tile_col0 + 16u))];
    let t29 = (acc_1_1 * t28);
    buf3[wid.z * 35u + (tile_row0 + 1u) * 7u + tile_col0 + 16u] = t29;
  }
  if (tile_row0 + 1u < 5u && tile_col0 + 32u < 7u) {
    let t30 = buf2[((tile_col0 + 32u))];
    let t31 = (acc_1_2 * t30);
    buf3[wid.z * 35u + (tile_row0 + 1u) * 7u + tile_col0 + 32u] = t31;
  }
  if (tile_row0 + 1u < 5u && tile_col0 + 48u < 7u) {
    let t32 = buf2[((tile_col0 + 48u))];
    let t33 = (acc_1_3 * t32);
    buf3[wid.z * 35u + (tile_row0 + 1u) * 7u + tile_col0 + 48u] = t33;
  }
  if (tile_row0 + 2u < 5u && tile_col0 + 0u < 7u) {
    let t34 = buf2[((tile_col0 + 0u))];
    let t35 = (acc_2_0 * t34);
    buf3[wid.z * 35u + (tile_row0 + 2u) * 7u + tile_col0 + 0u] = t35;
  }
  if (tile_row0 + 2u < 5u && tile_col0 + 16u < 7u) {
    let t36 = buf2[((tile_col0 + 16u))];
    let t37 = (acc_2_1 * t36);
    buf3[wid.z * 35u + (tile_row0 + 2u) * 7u + tile_col0 + 16u] = t37;
  }
  if (tile_row0 + 2u < 5u && tile_col0 + 32u < 7u) {
    let t38 = buf2[((tile_col0 + 32u))];
    let t39 = (acc_2_2 * t38);
    buf3[wid.z * 35u + (tile_row0 + 2u) * 7u + tile_col0 + 32u] = t39;
  }
  if (tile_row0 + 2u < 5u && tile_col0 + 48u < 7u) {
    let t40 = buf2[((tile_col0 + 48u))];
    let t41 = (acc_2_3 * t40);
    buf3[wid.z * 35u + (tile_row0 + 2u) * 7u + tile_col0 + 48u] = t41;
  }
  if (tile_row0 + 3u < 5u && tile_col0 + 0u < 7u) {
    let t42 = buf2[((tile_col0 + 0u))];
    let t43 = (acc_3_0 * t42);
    buf3[wid.z * 35u + (tile_row0 + 3u) * 7u + tile_col0 + 0u] = t43;
  }
  if (tile_row0 + 3u < 5u && tile_col0 + 16u < 7u) {
    let t44 = buf2[((tile_col0 + 16u))];
    let t45 = (acc_3_1 * t44);
    buf3[wid.z * 35u + (tile_row0 + 3u) * 7u + tile_col0 + 16u] = t45;
  }
  if (tile_row0 + 3u < 5u && tile_col0 + 32u < 7u) {
    let t46 = buf2[((tile_col0 + 32u))];
    let t47 = (acc_3_2 * t46);
    buf3[wid.z * 35u + (tile_row0 + 3u) * 7u + tile_col0 + 32u] = t47;
  }
  if (tile_row0 + 3u < 5u && tile_col0 + 48u < 7u) {
    let t48 = buf2[((tile_col0 + 48u))];
    let t49 = (acc_3_3 * t48);
    buf3[wid.z * 35u + (tile_row0 + 3u) * 7u + tile_col0 + 48u] = t49;
  }
}
