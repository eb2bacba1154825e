// tiled_matmul: transpose+matmul+mul
// workgroup size 16x4x1, dispatch 1x1x2, bindings [0, 3, 6, 8]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
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
  let n10 = 6u + (nwg.x >> 31u);
  for (var i9 = 0u; i9 < n10; i9++) {
    let t11 = buf0[c0 * 30u + i9 * 5u + r1];
    let t12 = buf0[c0 * 30u + i9 * 5u + r2];
    let t13 = buf0[c0 * 30u + i9 * 5u + r3];
    let t14 = buf0[c0 * 30u + i9 * 5u + r4];
    let t15 = buf1[i9 * 7u + c5];
    let t16 = buf1[i9 * 7u + c6];
    let t17 = buf1[i9 * 7u + c7];
    let t18 = buf1[i9 * 7u + c8];
    acc_0_0 = acc_0_0 + t11 * t15;
    acc_0_1 = acc_0_1 + t11 * t16;
    acc_0_2 = acc_0_2 + t11 * t17;
    acc_0_3 = acc_0_3 + t11 * t18;
    acc_1_0 = acc_1_0 + t12 * t15;
    acc_1_1 = acc_1_1 + t12 * t16;
    acc_1_2 = acc_1_2 + t12 * t17;
    acc_1_3 = acc_1_3 + t12 * t18;
    acc_2_0 = acc_2_0 + t13 * t15;
    acc_2_1 = acc_2_1 + t13 * t16;
    acc_2_2 = acc_2_2 + t13 * t17;
    acc_2_3 = acc_2_3 + t13 * t18;
    acc_3_0 = acc_3_0 + t14 * t15;
    acc_3_1 = acc_3_1 + t14 * t16;
    acc_3_2 = acc_3_2 + t14 * t17;
    acc_3_3 = acc_3_3 + t14 * t18;
  }
  var tile19: array<f32, 16>;
  tile19[0] = acc_0_0;
  tile19[1] = acc_0_1;
  tile19[2] = acc_0_2;
  tile19[3] = acc_0_3;
  tile19[4] = acc_1_0;
  tile19[5] = acc_1_1;
  tile19[6] = acc_1_2;
  tile19[7] = acc_1_3;
  tile19[8] = acc_2_0;
  tile19[9] = acc_2_1;
  tile19[10] = acc_2_2;
  tile19[11] = acc_2_3;
  tile19[12] = acc_3_0;
  tile19[13] = acc_3_1;
  tile19[14] = acc_3_2;
  tile19[15] = acc_3_3;
  let n21 = 4u + (nwg.x >> 31u);
  for (var i20 = 0u; i20 < n21; i20++) {
    let a22 = tile19[i20 * 4u + 0u];
    if ((tile_row0 + i20) < 5u && tile_col0 + 0u < 7u) {
      let t23 = buf2[((tile_col0 + 0u))];
      let t24 = (a22 * t23);
      buf3[wid.z * 35u + (tile_row0 + i20) * 7u + tile_col0 + 0u] = t24;
    }
    let a25 = tile19[i20 * 4u + 1u];
    if ((tile_row0 + i20) < 5u && tile_col0 + 16u < 7u) {
      let t26 = buf2[((tile_col0 + 16u))];
      let t27 = (a25 * t26);
      buf3[wid.z * 35u + (tile_row0 + i20) * 7u + tile_col0 + 16u] = t27;
    }
    let a28 = tile19[i20 * 4u + 2u];
    if ((tile_row0 + i20) < 5u && tile_col0 + 32u < 7u) {
      let t29 = buf2[((tile_col0 + 32u))];
      let t30 = (a28 * t29);
      buf3[wid.z * 35u + (tile_row0 + i20) * 7u + tile_col0 + 32u] = t30;
    }
    let a31 = tile19[i20 * 4u + 3u];
    if ((tile_row0 + i20) < 5u && tile_col0 + 48u < 7u) {
      let t32 = buf2[((tile_col0 + 48u))];
      let t33 = (a31 * t32);
      buf3[wid.z * 35u + (tile_row0 + i20) * 7u + tile_col0 + 48u] = t33;
    }
  }
}
