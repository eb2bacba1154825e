// row_matmul: matmul+add
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 6, 4]
@group(0) @binding(0) var<storage, read_write> buf0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> buf1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> buf2: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let tile_row0 = wid.y * 1u;
  let tile_col4 = wid.x * 64u + lid.x;
  let ar0 = ((0u) * 1u + min(tile_row0 + 0u, 0u)) * 4u;
  let bb1 = (0u) * 32u;
  let cj2 = min(tile_col4 + 0u, 1u);
  var acc_0_0 = vec4<f32>(0.0f);
  let n3 = 4u + (nwg.x >> 31u);
  for (var kq = 0u; kq < n3; kq++) {
    let row4 = buf0[ar0 + kq];
    let bq5 = buf1[bb1 + (kq * 4u + 0u) * 2u + cj2];
    let bq6 = buf1[bb1 + (kq * 4u + 1u) * 2u + cj2];
    let bq7 = buf1[bb1 + (kq * 4u + 2u) * 2u + cj2];
    let bq8 = buf1[bb1 + (kq * 4u + 3u) * 2u + cj2];
    acc_0_0 = fma(vec4<f32>(row4.w), bq8, fma(vec4<f32>(row4.z), bq7, fma(vec4<f32>(row4.y), bq6, fma(vec4<f32>(row4.x), bq5, acc_0_0))));
  }
  if ((tile_row0 + 0u) < 1u && tile_col4 + 0u < 2u) {
    let t9 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t10 = (acc_0_0.x + t9);
    let t11 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t12 = (acc_0_0.y + t11);
    let t13 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t14 = (acc_0_0.z + t13);
    let t15 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t16 = (acc_0_0.w + t15);
    buf2[(wid.z * 1u + (tile_row0 + 0u)) * 2u + tile_col4 + 0u] = vec4<f32>(t10, t12, t14, t16);
  }
}
