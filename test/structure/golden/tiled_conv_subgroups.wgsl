// tiled_conv_subgroups: conv
// workgroup size 8x1x1, dispatch 3x1x1, bindings [0, 1, 3], subgroup size 8
enable subgroups;
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(subgroup_invocation_id) sid: u32) {
  let tile_m0 = wid.z * 16u + (wid.y * 1u + lid.y) * 16u;
  let tile_p0 = wid.x * 32u + lid.x;
  let m0 = min(tile_m0 + 0u + sid % 8u, (wid.z + 1u) * 16u - 1u);
  let m1 = min(tile_m0 + 8u + sid % 8u, (wid.z + 1u) * 16u - 1u);
  let col2 = min(tile_p0 + 0u, 71u);
  let out3 = col2 / 36u;
  let in4 = col2 % 36u;
  let c5 = (in4 / 6u);
  let c6 = in4 % 6u;
  let col7 = min(tile_p0 + 8u, 71u);
  let out8 = col7 / 36u;
  let in9 = col7 % 36u;
  let c10 = (in9 / 6u);
  let c11 = in9 % 6u;
  let col12 = min(tile_p0 + 16u, 71u);
  let out13 = col12 / 36u;
  let in14 = col12 % 36u;
  let c15 = (in14 / 6u);
  let c16 = in14 % 6u;
  let col17 = min(tile_p0 + 24u, 71u);
  let out18 = col17 / 36u;
  let in19 = col17 % 36u;
  let c20 = (in19 / 6u);
  let c21 = in19 % 6u;
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
  var acc_4_0: f32 = 0.0f;
  var acc_4_1: f32 = 0.0f;
  var acc_4_2: f32 = 0.0f;
  var acc_4_3: f32 = 0.0f;
  var acc_5_0: f32 = 0.0f;
  var acc_5_1: f32 = 0.0f;
  var acc_5_2: f32 = 0.0f;
  var acc_5_3: f32 = 0.0f;
  var acc_6_0: f32 = 0.0f;
  var acc_6_1: f32 = 0.0f;
  var acc_6_2: f32 = 0.0f;
  var acc_6_3: f32 = 0.0f;
  var acc_7_0: f32 = 0.0f;
  var acc_7_1: f32 = 0.0f;
  var acc_7_2: f32 = 0.0f;
  var acc_7_3: f32 = 0.0f;
  var acc_8_0: f32 = 0.0f;
  var acc_8_1: f32 = 0.0f;
  var acc_8_2: f32 = 0.0f;
  var acc_8_3: f32 = 0.0f;
  var acc_9_0: f32 = 0.0f;
  var acc_9_1: f32 = 0.0f;
  var acc_9_2: f32 = 0.0f;
  var acc_9_3: f32 = 0.0f;
  var acc_10_0: f32 = 0.0f;
  var acc_10_1: f32 = 0.0f;
  var acc_10_2: f32 = 0.0f;
  var acc_10_3: f32 = 0.0f;
  var acc_11_0: f32 = 0.0f;
  var acc_11_1: f32 = 0.0f;
  var acc_11_2: f32 = 0.0f;
  var acc_11_3: f32 = 0.0f;
  var acc_12_0: f32 = 0.0f;
  var acc_12_1: f32 = 0.0f;
  var acc_12_2: f32 = 0.0f;
  var acc_12_3: f32 = 0.0f;
  var acc_13_0: f32 = 0.0f;
  var acc_13_1: f32 = 0.0f;
  var acc_13_2: f32 = 0.0f;
  var acc_13_3: f32 = 0.0f;
  var acc_14_0: f32 = 0.0f;
  var acc_14_1: f32 = 0.0f;
  var acc_14_2: f32 = 0.0f;
  var acc_14_3: f32 = 0.0f;
  var acc_15_0: f32 = 0.0f;
  var acc_15_1: f32 = 0.0f;
  var acc_15_2: f32 = 0.0f;
  var acc_15_3: f32 = 0.0f;
  for (var i22 = 0u; i22 < 4u; i22++) {
    for (var i23 = 0u; i23 < 3u; i23++) {
      for (var i24 = 0u; i24 < 3u; i24++) {
        let t25 = buf1[m0 * 36u + i22 * 9u + i23 * 3u + i24];
        let t26 = buf1[m1 * 36u + i22 * 9u + i23 * 3u + i24];
        let sb27 = subgroupBroadcast(t25, 0u);
        let sb28 = subgroupBroadcast(t25, 1u);
        let sb29 = subgroupBroadcast(t25, 2u);
        let sb30 = subgroupBroadcast(t25, 3u);
        let sb31 = subgroupBroadcast(t25, 4u);
        let sb32 = subgroupBroadcast(t25, 5u);
        let sb33 = subgroupBroadcast(t25, 6u);
        let sb34 = subgroupBroadcast(t25, 7u);
        let sb35 = subgroupBroadcast(t26, 0u);
        let sb36 = subgroupBroadcast(t26, 1u);
        let sb37 = subgroupBroadcast(t26, 2u);
        let sb38 = subgroupBroadcast(t26, 3u);
        let sb39 = subgroupBroadcast(t26, 4u);
        let sb40 = subgroupBroadcast(t26, 5u);
        let sb41 = subgroupBroadcast(t26, 6u);
        let sb42 = subgroupBroadcast(t26, 7u);
        let p43 = i32(c5 + i23) - 1i;
        let q44 = u32(clamp(p43, 0i, 5i));
        let p45 = i32(c6 + i24) - 1i;
        let q46 = u32(clamp(p45, 0i, 5i));
        let t47 = buf0[out3 * 144u + i22 * 36u + q44 * 6u + q46];
        let t48 = select(0.0f, t47, (p43 >= 0i && p43 < 6i) && (p45 >= 0i && p45 < 6i));
        let p49 = i32(c10 + i23) - 1i;
        let q50 = u32(clamp(p49, 0i, 5i));
        let p51 = i32(c11 + i24) - 1i;
        let q52 = u32(clamp(p51, 0i, 5i));
        let t53 = buf0[out8 * 144u + i22 * 36u + q50 * 6u + q52];
        let t54 = select(0.0f, t53, (p49 >= 0i && p49 < 6i) && (p51 >= 0i && p51 < 6i));
        let p55 = i32(c15 + i23) - 1i;
        let q56 = u32(clamp(p55, 0i, 5i));
        let p57 = i32(c16 + i24) - 1i;
        let q58 = u32(clamp(p57, 0i, 5i));
        let t59 = buf0[out13 * 144u + i22 * 36u + q56 * 6u + q58];
        let t60 = select(0.0f, t59, (p55 >= 0i && p55 < 6i) && (p57 >= 0i && p57 < 6i));
        let p61 = i32(c20 + i23) - 1i;
        let q62 = u32(clamp(p61, 0i, 5i));
        let p63 = i32(c21 + i24) - 1i;
        let q64 = u32(clamp(p63, 0i, 5i));
        let t65 = buf0[out18 * 144u + i22 * 36u + q62 * 6u + q64];
        let t66 = select(0.0f, t65, (p61 >= 0i && p61 < 6i) && (p63 >= 0i && p63 < 6i));
        acc_0_0 = acc_0_0 + sb27 * t48;
        acc_0_1 = acc_0_1 + sb27 * t54;
        acc_0_2 = acc_0_2 + sb27 * t60;
        acc_0_3 = acc_0_3 + sb27 * t66;
        acc_1_0 = acc_1_0 + sb28 * t48;
        acc_1_1 = acc_1_1 + sb28 * t54;
        acc_1_2 = acc_1_2 + sb28 * t60;
        acc_1_3 = acc_1_3 + sb28 * t66;
        acc_2_0 = acc_2_0 + sb29 * t48;
        acc_2_1 = acc_2_1 + sb29 * t54;
        acc_2_2 = acc_2_2 + sb29 * t60;
        acc_2_3 = acc_2_3 + sb29 * t66;
        acc_3_0 = acc_3_0 + sb30 * t48;
        acc_3_1 = acc_3_1 + sb30 * t54;
        acc_3_2 = acc_3_2 + sb30 * t60;
        acc_3_3 = acc_3_3 + sb30 * t66;
        acc_4_0 = acc_4_0 + sb31 * t48;
        acc_4_1 = acc_4_1 + sb31 * t54;
        acc_4_2 = acc_4_2 + sb31 * t60;
        acc_4_3 = acc_4_3 + sb31 * t66;
        acc_5_0 = acc_5_0 + sb32 * t48;
        acc_5_1 = acc_5_1 + sb32 * t54;
        acc_5_2 = acc_5_2 + sb32 * t60;
        acc_5_3 = acc_5_3 + sb32 * t66;
        acc_6_0 = acc_6_0 + sb33 * t48;
        acc_6_1 = acc_6_1 + sb33 * t54;
        acc_6_2 = acc_6_2 + sb33 * t60;
        acc_6_3 = acc_6_3 + sb33 * t66;
        acc_7_0 = acc_7_0 + sb34 * t48;
        acc_7_1 = acc_7_1 + sb34 * t54;
        acc_7_2 = acc_7_2 + sb34 * t60;
        acc_7_3 = acc_7_3 + sb34 * t66;
        acc_8_0 = acc_8_0 + sb35 * t48;
        acc_8_1 = acc_8_1 + sb35 * t54;
        acc_8_2 = acc_8_2 + sb35 * t60;
        acc_8_3 = acc_8_3 + sb35 * t66;
        acc_9_0 = acc_9_0 + sb36 * t48;
        acc_9_1 = acc_9_1 + sb36 * t54;
        acc_9_2 = acc_9_2 + sb36 * t60;
        acc_9_3 = acc_9_3 + sb36 * t66;
        acc_10_0 = acc_10_0 + sb37 * t48;
        acc_10_1 = acc_10_1 + sb37 * t54;
        acc_10_2 = acc_10_2 + sb37 * t60;
        acc_10_3 = acc_10_3 + sb37 * t66;
        acc_11_0 = acc_11_0 + sb38 * t48;
        acc_11_1 = acc_11_1 + sb38 * t54;
        acc_11_2 = acc_11_2 + sb38 * t60;
        acc_11_3 = acc_11_3 + sb38 * t66;
        acc_12_0 = acc_12_0 + sb39 * t48;
        acc_12_1 = acc_12_1 + sb39 * t54;
        acc_12_2 = acc_12_2 + sb39 * t60;
        acc_12_3 = acc_12_3 + sb39 * t66;
        acc_13_0 = acc_13_0 + sb40 * t48;
        acc_13_1 = acc_13_1 + sb40 * t54;
        acc_13_2 = acc_13_2 + sb40 * t60;
        acc_13_3 = acc_13_3 + sb40 * t66;
        acc_14_0 = acc_14_0 + sb41 * t48;
        acc_14_1 = acc_14_1 + sb41 * t54;
        acc_14_2 = acc_14_2 + sb41 * t60;
        acc_14_3 = acc_14_3 + sb41 * t66;
        acc_15_0 = acc_15_0 + sb42 * t48;
        acc_15_1 = acc_15_1 + sb42 * t54;
        acc_15_2 = acc_15_2 + sb42 * t60;
        acc_15_3 = acc_15_3 + sb42 * t66;
      }
    }
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 0u)) * 36u + in4] = (acc_0_0);
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 0u)) * 36u + in9] = (acc_0_1);
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 0u)) * 36u + in14] = (acc_0_2);
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 0u)) * 36u + in19] = (acc_0_3);
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 1u)) * 36u + in4] = (acc_1_0);
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 1u)) * 36u + in9] = (acc_1_1);
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 1u)) * 36u + in14] = (acc_1_2);
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 1u)) * 36u + in19] = (acc_1_3);
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 2u)) * 36u + in4] = (acc_2_0);
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 2u)) * 36u + in9] = (acc_2_1);
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 2u)) * 36u + in14] = (acc_2_2);
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 2u)) * 36u + in19] = (acc_2_3);
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 3u)) * 36u + in4] = (acc_3_0);
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 3u)) * 36u + in9] = (acc_3_1);
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 3u)) * 36u + in14] = (acc_3_2);
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 3u)) * 36u + in19] = (acc_3_3);
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 4u)) * 36u + in4] = (acc_4_0);
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 4u)) * 36u + in9] = (acc_4_1);
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 4u)) * 36u + in14] = (acc_4_2);
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 4u)) * 36u + in19] = (acc_4_3);
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 5u)) * 36u + in4] = (acc_5_0);
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 5u)) * 36u + in9] = (acc_5_1);
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 5u)) * 36u + in14] = (acc_5_2);
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 5u)) * 36u + in19] = (acc_5_3);
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 6u)) * 36u + in4] = (acc_6_0);
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 6u)) * 36u + in9] = (acc_6_1);
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 6u)) * 36u + in14] = (acc_6_2);
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 6u)) * 36u + in19] = (acc_6_3);
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 7u)) * 36u + in4] = (acc_7_0);
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 7u)) * 36u + in9] = (acc_7_1);
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 7u)) * 36u + in14] = (acc_7_2);
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 7u)) * 36u + in19] = (acc_7_3);
  }
  if (tile_m0 + 8u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 8u)) * 36u + in4] = (acc_8_0);
  }
  if (tile_m0 + 8u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 8u)) * 36u + in9] = (acc_8_1);
  }
  if (tile_m0 + 8u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 8u)) * 36u + in14] = (acc_8_2);
  }
  if (tile_m0 + 8u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 8u)) * 36u + in19] = (acc_8_3);
  }
  if (tile_m0 + 9u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 9u)) * 36u + in4] = (acc_9_0);
  }
  if (tile_m0 + 9u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 9u)) * 36u + in9] = (acc_9_1);
  }
  if (tile_m0 + 9u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 9u)) * 36u + in14] = (acc_9_2);
  }
  if (tile_m0 + 9u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 9u)) * 36u + in19] = (acc_9_3);
  }
  if (tile_m0 + 10u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 10u)) * 36u + in4] = (acc_10_0);
  }
  if (tile_m0 + 10u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 10u)) * 36u + in9] = (acc_10_1);
  }
  if (tile_m0 + 10u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 10u)) * 36u + in14] = (acc_10_2);
  }
  if (tile_m0 + 10u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 10u)) * 36u + in19] = (acc_10_3);
  }
  if (tile_m0 + 11u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 11u)) * 36u + in4] = (acc_11_0);
  }
  if (tile_m0 + 11u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 11u)) * 36u + in9] = (acc_11_1);
  }
  if (tile_m0 + 11u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 11u)) * 36u + in14] = (acc_11_2);
  }
  if (tile_m0 + 11u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 11u)) * 36u + in19] = (acc_11_3);
  }
  if (tile_m0 + 12u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 12u)) * 36u + in4] = (acc_12_0);
  }
  if (tile_m0 + 12u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 12u)) * 36u + in9] = (acc_12_1);
  }
  if (tile_m0 + 12u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 12u)) * 36u + in14] = (acc_12_2);
  }
  if (tile_m0 + 12u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 12u)) * 36u + in19] = (acc_12_3);
  }
  if (tile_m0 + 13u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 13u)) * 36u + in4] = (acc_13_0);
  }
  if (tile_m0 + 13u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 13u)) * 36u + in9] = (acc_13_1);
  }
  if (tile_m0 + 13u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 13u)) * 36u + in14] = (acc_13_2);
  }
  if (tile_m0 + 13u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 13u)) * 36u + in19] = (acc_13_3);
  }
  if (tile_m0 + 14u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 14u)) * 36u + in4] = (acc_14_0);
  }
  if (tile_m0 + 14u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 14u)) * 36u + in9] = (acc_14_1);
  }
  if (tile_m0 + 14u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 14u)) * 36u + in14] = (acc_14_2);
  }
  if (tile_m0 + 14u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 14u)) * 36u + in19] = (acc_14_3);
  }
  if (tile_m0 + 15u < (wid.z + 1u) * 16u && tile_p0 + 0u < 72u) {
    buf2[(out3 * 16u + (tile_m0 + 15u)) * 36u + in4] = (acc_15_0);
  }
  if (tile_m0 + 15u < (wid.z + 1u) * 16u && tile_p0 + 8u < 72u) {
    buf2[(out8 * 16u + (tile_m0 + 15u)) * 36u + in9] = (acc_15_1);
  }
  if (tile_m0 + 15u < (wid.z + 1u) * 16u && tile_p0 + 16u < 72u) {
    buf2[(out13 * 16u + (tile_m0 + 15u)) * 36u + in14] = (acc_15_2);
  }
  if (tile_m0 + 15u < (wid.z + 1u) * 16u && tile_p0 + 24u < 72u) {
    buf2[(out18 * 16u + (tile_m0 + 15u)) * 36u + in19] = (acc_15_3);
  }
}
