// vec4_matmul_subgroups: matmul
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 3], subgroup size 8
enable subgroups;
@group(0) @binding(0) var<storage, read_write> buf0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> buf1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> buf2: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(subgroup_invocation_id) sid: u32) {
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
  for (var kq = 0u; kq < 2u; kq++) {
    let row4 = buf0[ar0 + kq];
    let row5 = buf0[ar1 + kq];
    let sb6 = subgroupBroadcast(row4, 0u);
    let sb7 = subgroupBroadcast(row4, 1u);
    let sb8 = subgroupBroadcast(row4, 2u);
    let sb9 = subgroupBroadcast(row4, 3u);
    let sb10 = subgroupBroadcast(row4, 4u);
    let sb11 = subgroupBroadcast(row4, 5u);
    let sb12 = subgroupBroadcast(row4, 6u);
    let sb13 = subgroupBroadcast(row4, 7u);
    let sb14 = subgroupBroadcast(row5, 0u);
    let sb15 = subgroupBroadcast(row5, 1u);
    let sb16 = subgroupBroadcast(row5, 2u);
    let sb17 = subgroupBroadcast(row5, 3u);
    let sb18 = subgroupBroadcast(row5, 4u);
    let sb19 = subgroupBroadcast(row5, 5u);
    let sb20 = subgroupBroadcast(row5, 6u);
    let sb21 = subgroupBroadcast(row5, 7u);
    let bq22 = buf1[bb2 + (kq * 4u + 0u) * 3u + cj3];
    let bq23 = buf1[bb2 + (kq * 4u + 1u) * 3u + cj3];
    let bq24 = buf1[bb2 + (kq * 4u + 2u) * 3u + cj3];
    let bq25 = buf1[bb2 + (kq * 4u + 3u) * 3u + cj3];
    acc_0_0 = fma(vec4<f32>(sb6.w), bq25, fma(vec4<f32>(sb6.z), bq24, fma(vec4<f32>(sb6.y), bq23, fma(vec4<f32>(sb6.x), bq22, acc_0_0))));
    acc_1_0 = fma(vec4<f32>(sb7.w), bq25, fma(vec4<f32>(sb7.z), bq24, fma(vec4<f32>(sb7.y), bq23, fma(vec4<f32>(sb7.x), bq22, acc_1_0))));
    acc_2_0 = fma(vec4<f32>(sb8.w), bq25, fma(vec4<f32>(sb8.z), bq24, fma(vec4<f32>(sb8.y), bq23, fma(vec4<f32>(sb8.x), bq22, acc_2_0))));
    acc_3_0 = fma(vec4<f32>(sb9.w), bq25, fma(vec4<f32>(sb9.z), bq24, fma(vec4<f32>(sb9.y), bq23, fma(vec4<f32>(sb9.x), bq22, acc_3_0))));
    acc_4_0 = fma(vec4<f32>(sb10.w), bq25, fma(vec4<f32>(sb10.z), bq24, fma(vec4<f32>(sb10.y), bq23, fma(vec4<f32>(sb10.x), bq22, acc_4_0))));
    acc_5_0 = fma(vec4<f32>(sb11.w), bq25, fma(vec4<f32>(sb11.z), bq24, fma(vec4<f32>(sb11.y), bq23, fma(vec4<f32>(sb11.x), bq22, acc_5_0))));
    acc_6_0 = fma(vec4<f32>(sb12.w), bq25, fma(vec4<f32>(sb12.z), bq24, fma(vec4<f32>(sb12.y), bq23, fma(vec4<f32>(sb12.x), bq22, acc_6_0))));
    acc_7_0 = fma(vec4<f32>(sb13.w), bq25, fma(vec4<f32>(sb13.z), bq24, fma(vec4<f32>(sb13.y), bq23, fma(vec4<f32>(sb13.x), bq22, acc_7_0))));
    acc_8_0 = fma(vec4<f32>(sb14.w), bq25, fma(vec4<f32>(sb14.z), bq24, fma(vec4<f32>(sb14.y), bq23, fma(vec4<f32>(sb14.x), bq22, acc_8_0))));
    acc_9_0 = fma(vec4<f32>(sb15.w), bq25, fma(vec4<f32>(sb15.z), bq24, fma(vec4<f32>(sb15.y), bq23, fma(vec4<f32>(sb15.x), bq22, acc_9_0))));
    acc_10_0 = fma(vec4<f32>(sb16.w), bq25, fma(vec4<f32>(sb16.z), bq24, fma(vec4<f32>(sb16.y), bq23, fma(vec4<f32>(sb16.x), bq22, acc_10_0))));
    acc_11_0 = fma(vec4<f32>(sb17.w), bq25, fma(vec4<f32>(sb17.z), bq24, fma(vec4<f32>(sb17.y), bq23, fma(vec4<f32>(sb17.x), bq22, acc_11_0))));
    acc_12_0 = fma(vec4<f32>(sb18.w), bq25, fma(vec4<f32>(sb18.z), bq24, fma(vec4<f32>(sb18.y), bq23, fma(vec4<f32>(sb18.x), bq22, acc_12_0))));
    acc_13_0 = fma(vec4<f32>(sb19.w), bq25, fma(vec4<f32>(sb19.z), bq24, fma(vec4<f32>(sb19.y), bq23, fma(vec4<f32>(sb19.x), bq22, acc_13_0))));
    acc_14_0 = fma(vec4<f32>(sb20.w), bq25, fma(vec4<f32>(sb20.z), bq24, fma(vec4<f32>(sb20.y), bq23, fma(vec4<f32>(sb20.x), bq22, acc_14_0))));
    acc_15_0 = fma(vec4<f32>(sb21.w), bq25, fma(vec4<f32>(sb21.z), bq24, fma(vec4<f32>(sb21.y), bq23, fma(vec4<f32>(sb21.x), bq22, acc_15_0))));
  }
  if (tile_row0 + 0u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 0u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_0_0.x, acc_0_0.y, acc_0_0.z, acc_0_0.w);
  }
  if (tile_row0 + 1u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 1u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_1_0.x, acc_1_0.y, acc_1_0.z, acc_1_0.w);
  }
  if (tile_row0 + 2u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 2u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_2_0.x, acc_2_0.y, acc_2_0.z, acc_2_0.w);
  }
  if (tile_row0 + 3u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 3u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_3_0.x, acc_3_0.y, acc_3_0.z, acc_3_0.w);
  }
  if (tile_row0 + 4u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 4u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_4_0.x, acc_4_0.y, acc_4_0.z, acc_4_0.w);
  }
  if (tile_row0 + 5u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 5u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_5_0.x, acc_5_0.y, acc_5_0.z, acc_5_0.w);
  }
  if (tile_row0 + 6u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 6u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_6_0.x, acc_6_0.y, acc_6_0.z, acc_6_0.w);
  }
  if (tile_row0 + 7u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 7u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_7_0.x, acc_7_0.y, acc_7_0.z, acc_7_0.w);
  }
  if (tile_row0 + 8u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 8u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_8_0.x, acc_8_0.y, acc_8_0.z, acc_8_0.w);
  }
  if (tile_row0 + 9u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 9u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_9_0.x, acc_9_0.y, acc_9_0.z, acc_9_0.w);
  }
  if (tile_row0 + 10u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 10u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_10_0.x, acc_10_0.y, acc_10_0.z, acc_10_0.w);
  }
  if (tile_row0 + 11u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 11u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_11_0.x, acc_11_0.y, acc_11_0.z, acc_11_0.w);
  }
  if (tile_row0 + 12u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 12u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_12_0.x, acc_12_0.y, acc_12_0.z, acc_12_0.w);
  }
  if (tile_row0 + 13u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 13u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_13_0.x, acc_13_0.y, acc_13_0.z, acc_13_0.w);
  }
  if (tile_row0 + 14u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 14u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_14_0.x, acc_14_0.y, acc_14_0.z, acc_14_0.w);
  }
  if (tile_row0 + 15u < 16u && tile_col4 + 0u < 3u) {
    buf2[(wid.z * 16u + tile_row0 + 15u) * 3u + tile_col4 + 0u] = vec4<f32>(acc_15_0.x, acc_15_0.y, acc_15_0.z, acc_15_0.w);
  }
}
