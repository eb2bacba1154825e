// vec4_matmul: matmul+add+relu
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 8, 4]
@group(0) @binding(0) var<storage, read_write> buf0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> buf1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> buf2: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let tile_row0 = wid.y * 8u;
  let tile_col4 = wid.x * 64u + lid.x;
  let ar0 = ((0u) * 8u + min(tile_row0 + 0u, 7u)) * 4u;
  let ar1 = ((0u) * 8u + min(tile_row0 + 1u, 7u)) * 4u;
  let ar2 = ((0u) * 8u + min(tile_row0 + 2u, 7u)) * 4u;
  let ar3 = ((0u) * 8u + min(tile_row0 + 3u, 7u)) * 4u;
  let ar4 = ((0u) * 8u + min(tile_row0 + 4u, 7u)) * 4u;
  let ar5 = ((0u) * 8u + min(tile_row0 + 5u, 7u)) * 4u;
  let ar6 = ((0u) * 8u + min(tile_row0 + 6u, 7u)) * 4u;
  let ar7 = ((0u) * 8u + min(tile_row0 + 7u, 7u)) * 4u;
  let bb8 = (0u) * 128u;
  let cj9 = min(tile_col4 + 0u, 7u);
  var acc_0_0 = vec4<f32>(0.0f);
  var acc_1_0 = vec4<f32>(0.0f);
  var acc_2_0 = vec4<f32>(0.0f);
  var acc_3_0 = vec4<f32>(0.0f);
  var acc_4_0 = vec4<f32>(0.0f);
  var acc_5_0 = vec4<f32>(0.0f);
  var acc_6_0 = vec4<f32>(0.0f);
  var acc_7_0 = vec4<f32>(0.0f);
  let n10 = 4u + (nwg.x >> 31u);
  for (var kq = 0u; kq < n10; kq++) {
    let row11 = buf0[ar0 + kq];
    let row12 = buf0[ar1 + kq];
    let row13 = buf0[ar2 + kq];
    let row14 = buf0[ar3 + kq];
    let row15 = buf0[ar4 + kq];
    let row16 = buf0[ar5 + kq];
    let row17 = buf0[ar6 + kq];
    let row18 = buf0[ar7 + kq];
    let bq19 = buf1[bb8 + (kq * 4u + 0u) * 8u + cj9];
    let bq20 = buf1[bb8 + (kq * 4u + 1u) * 8u + cj9];
    let bq21 = buf1[bb8 + (kq * 4u + 2u) * 8u + cj9];
    let bq22 = buf1[bb8 + (kq * 4u + 3u) * 8u + cj9];
    acc_0_0 = fma(vec4<f32>(row11.w), bq22, fma(vec4<f32>(row11.z), bq21, fma(vec4<f32>(row11.y), bq20, fma(vec4<f32>(row11.x), bq19, acc_0_0))));
    acc_1_0 = fma(vec4<f32>(row12.w), bq22, fma(vec4<f32>(row12.z), bq21, fma(vec4<f32>(row12.y), bq20, fma(vec4<f32>(row12.x), bq19, acc_1_0))));
    acc_2_0 = fma(vec4<f32>(row13.w), bq22, fma(vec4<f32>(row13.z), bq21, fma(vec4<f32>(row13.y), bq20, fma(vec4<f32>(row13.x), bq19, acc_2_0))));
    acc_3_0 = fma(vec4<f32>(row14.w), bq22, fma(vec4<f32>(row14.z), bq21, fma(vec4<f32>(row14.y), bq20, fma(vec4<f32>(row14.x), bq19, acc_3_0))));
    acc_4_0 = fma(vec4<f32>(row15.w), bq22, fma(vec4<f32>(row15.z), bq21, fma(vec4<f32>(row15.y), bq20, fma(vec4<f32>(row15.x), bq19, acc_4_0))));
    acc_5_0 = fma(vec4<f32>(row16.w), bq22, fma(vec4<f32>(row16.z), bq21, fma(vec4<f32>(row16.y), bq20, fma(vec4<f32>(row16.x), bq19, acc_5_0))));
    acc_6_0 = fma(vec4<f32>(row17.w), bq22, fma(vec4<f32>(row17.z), bq21, fma(vec4<f32>(row17.y), bq20, fma(vec4<f32>(row17.x), bq19, acc_6_0))));
    acc_7_0 = fma(vec4<f32>(row18.w), bq22, fma(vec4<f32>(row18.z), bq21, fma(vec4<f32>(row18.y), bq20, fma(vec4<f32>(row18.x), bq19, acc_7_0))));
  }
  var tile23: array<vec4<f32>, 8>;
  tile23[0] = acc_0_0;
  tile23[1] = acc_1_0;
  tile23[2] = acc_2_0;
  tile23[3] = acc_3_0;
  tile23[4] = acc_4_0;
  tile23[5] = acc_5_0;
  tile23[6] = acc_6_0;
  tile23[7] = acc_7_0;
  let n25 = 8u + (nwg.x >> 31u);
  for (var i24 = 0u; i24 < n25; i24++) {
    let a26 = tile23[i24];
    if ((tile_row0 + i24) < 8u && tile_col4 + 0u < 8u) {
      let t27 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
      let t28 = (a26.x + t27);
      let t29 = max(t28, 0.0f);
      let t30 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
      let t31 = (a26.y + t30);
      let t32 = max(t31, 0.0f);
      let t33 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
      let t34 = (a26.z + t33);
      let t35 = max(t34, 0.0f);
      let t36 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
      let t37 = (a26.w + t36);
      let t38 = max(t37, 0.0f);
      buf2[(wid.z * 8u + (tile_row0 + i24)) * 8u + tile_col4 + 0u] = vec4<f32>(t29, t32, t35, t38);
    }
  }
}
