// vec4_matmul_subgroups: matmul
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 3], subgroup size 8
enable subgroups;
@group(0) @binding(0) var<storage, read_write> buf0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> buf1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> buf2: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(subgroup_invocation_id) sid: u32) {
  let tile_row0 = wid.y * 16u;
  let tile_col4 = wid.x * 64u + lid.x;
  let ar0 = ((0u) * 16u + min(tile_row0 + 0u + sid % 8u, 15u)) * 2u;
  let ar1 = ((0u) * 16u + min(tile_row0 + 8u + sid % 8u, 15u)) * 2u;
  let bb2 = (0u) * 24u;
  let cj3 = min(tile_col4 + 0u, 2u);
  var acc_0_0 = vec4<f32>(0.0f);
  var acc_1_0 = vec4<f32>(0.0f);
  var acc_2_0 = vec4<f32>(0.0f);
  var acc_3_0 = vec4<f32>(0.0f);
  var acc_4_0 = vec4<f32>(0.0f);
  var acc_5_0 = vec4<f32>(0.0f);
  var acc_6_0 = vec4<f32>(0.0f);
  var acc_7_0 = vec4<f32>(0.0f);
  var acc_8_0 = vec4<f32>(0.0f);
  var acc_9_0 = vec4<f32>(0.0f);
  var acc_10_0 = vec4<f32>(0.0f);
  var acc_11_0 = vec4<f32>(0.0f);
  var acc_12_0 = vec4<f32>(0.0f);
  var acc_13_0 = vec4<f32>(0.0f);
  var acc_14_0 = vec4<f32>(0.0f);
  var acc_15_0 = vec4<f32>(0.0f);
  let n4 = 2u + (nwg.x >> 31u);
  for (var kq = 0u; kq < n4; kq++) {
    let row5 = buf0[ar0 + kq];
    let row6 = buf0[ar1 + kq];
    let sb7 = subgroupBroadcast(row5, 0u);
    let sb8 = subgroupBroadcast(row5, 1u);
    let sb9 = subgroupBroadcast(row5, 2u);
    let sb10 = subgroupBroadcast(row5, 3u);
    let sb11 = subgroupBroadcast(row5, 4u);
    let sb12 = subgroupBroadcast(row5, 5u);
    let sb13 = subgroupBroadcast(row5, 6u);
    let sb14 = subgroupBroadcast(row5, 7u);
    let sb15 = subgroupBroadcast(row6, 0u);
    let sb16 = subgroupBroadcast(row6, 1u);
    let sb17 = subgroupBroadcast(row6, 2u);
    let sb18 = subgroupBroadcast(row6, 3u);
    let sb19 = subgroupBroadcast(row6, 4u);
    let sb20 = subgroupBroadcast(row6, 5u);
    let sb21 = subgroupBroadcast(row6, 6u);
    let sb22 = subgroupBroadcast(row6, 7u);
    let bq23 = buf1[bb2 + (kq * 4u + 0u) * 3u + cj3];
    let bq24 = buf1[bb2 + (kq * 4u + 1u) * 3u + cj3];
    let bq25 = buf1[bb2 + (kq * 4u + 2u) * 3u + cj3];
    let bq26 = buf1[bb2 + (kq * 4u + 3u) * 3u + cj3];
    acc_0_0 = fma(vec4<f32>(sb7.w), bq26, fma(vec4<f32>(sb7.z), bq25, fma(vec4<f32>(sb7.y), bq24, fma(vec4<f32>(sb7.x), bq23, acc_0_0))));
    acc_1_0 = fma(vec4<f32>(sb8.w), bq26, fma(vec4<f32>(sb8.z), bq25, fma(vec4<f32>(sb8.y), bq24, fma(vec4<f32>(sb8.x), bq23, acc_1_0))));
    acc_2_0 = fma(vec4<f32>(sb9.w), bq26, fma(vec4<f32>(sb9.z), bq25, fma(vec4<f32>(sb9.y), bq24, fma(vec4<f32>(sb9.x), bq23, acc_2_0))));
    acc_3_0 = fma(vec4<f32>(sb10.w), bq26, fma(vec4<f32>(sb10.z), bq25, fma(vec4<f32>(sb10.y), bq24, fma(vec4<f32>(sb10.x), bq23, acc_3_0))));
    acc_4_0 = fma(vec4<f32>(sb11.w), bq26, fma(vec4<f32>(sb11.z), bq25, fma(vec4<f32>(sb11.y), bq24, fma(vec4<f32>(sb11.x), bq23, acc_4_0))));
    acc_5_0 = fma(vec4<f32>(sb12.w), bq26, fma(vec4<f32>(sb12.z), bq25, fma(vec4<f32>(sb12.y), bq24, fma(vec4<f32>(sb12.x), bq23, acc_5_0))));
    acc_6_0 = fma(vec4<f32>(sb13.w), bq26, fma(vec4<f32>(sb13.z), bq25, fma(vec4<f32>(sb13.y), bq24, fma(vec4<f32>(sb13.x), bq23, acc_6_0))));
    acc_7_0 = fma(vec4<f32>(sb14.w), bq26, fma(vec4<f32>(sb14.z), bq25, fma(vec4<f32>(sb14.y), bq24, fma(vec4<f32>(sb14.x), bq23, acc_7_0))));
    acc_8_0 = fma(vec4<f32>(sb15.w), bq26, fma(vec4<f32>(sb15.z), bq25, fma(vec4<f32>(sb15.y), bq24, fma(vec4<f32>(sb15.x), bq23, acc_8_0))));
    acc_9_0 = fma(vec4<f32>(sb16.w), bq26, fma(vec4<f32>(sb16.z), bq25, fma(vec4<f32>(sb16.y), bq24, fma(vec4<f32>(sb16.x), bq23, acc_9_0))));
    acc_10_0 = fma(vec4<f32>(sb17.w), bq26, fma(vec4<f32>(sb17.z), bq25, fma(vec4<f32>(sb17.y), bq24, fma(vec4<f32>(sb17.x), bq23, acc_10_0))));
    acc_11_0 = fma(vec4<f32>(sb18.w), bq26, fma(vec4<f32>(sb18.z), bq25, fma(vec4<f32>(sb18.y), bq24, fma(vec4<f32>(sb18.x), bq23, acc_11_0))));
    acc_12_0 = fma(vec4<f32>(sb19.w), bq26, fma(vec4<f32>(sb19.z), bq25, fma(vec4<f32>(sb19.y), bq24, fma(vec4<f32>(sb19.x), bq23, acc_12_0))));
    acc_13_0 = fma(vec4<f32>(sb20.w), bq26, fma(vec4<f32>(sb20.z), bq25, fma(vec4<f32>(sb20.y), bq24, fma(vec4<f32>(sb20.x), bq23, acc_13_0))));
    acc_14_0 = fma(vec4<f32>(sb21.w), bq26, fma(vec4<f32>(sb21.z), bq25, fma(vec4<f32>(sb21.y), bq24, fma(vec4<f32>(sb21.x), bq23, acc_14_0))));
    acc_15_0 = fma(vec4<f32>(sb22.w), bq26, fma(vec4<f32>(sb22.z), bq25, fma(vec4<f32>(sb22.y), bq24, fma(vec4<f32>(sb22.x), bq23, acc_15_0))));
  }
  var tile27: array<vec4<f32>, 16>;
  tile27[0] = acc_0_0;
  tile27[1] = acc_1_0;
  tile27[2] = acc_2_0;
  tile27[3] = acc_3_0;
  tile27[4] = acc_4_0;
  tile27[5] = acc_5_0;
  tile27[6] = acc_6_0;
  tile27[7] = acc_7_0;
  tile27[8] = acc_8_0;
  tile27[9] = acc_9_0;
  tile27[10] = acc_10_0;
  tile27[11] = acc_11_0;
  tile27[12] = acc_12_0;
  tile27[13] = acc_13_0;
  tile27[14] = acc_14_0;
  tile27[15] = acc_15_0;
  let n29 = 16u + (nwg.x >> 31u);
  for (var i28 = 0u; i28 < n29; i28++) {
    let a30 = tile27[i28];
    if ((tile_row0 + i28) < 16u && tile_col4 + 0u < 3u) {
      buf2[(wid.z * 16u + (tile_row0 + i28)) * 3u + tile_col4 + 0u] = vec4<f32>(a30.x, a30.y, a30.z, a30.w);
    }
  }
}
