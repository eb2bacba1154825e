// concat_copy: slice+reshape+transpose+concat
// workgroup size 64x1x1, dispatch 1x1x1, bindings [9, 7, 0]
@group(0) @binding(0) var<storage, read_write> buf0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> buf1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let u = gid.x + gid.y * (nwg.x * 64u);
  if (u >= 24u) { return; }
  let e0 = u * 4u;
  let o1 = e0 / 48u;
  let r2 = e0 - o1 * 48u;
  var unit: vec4<f32>;
  if (r2 < 40u) {
    unit = buf1[(o1 * 40u + r2) / 4u];
  }
  else {
    let q3 = r2 - 40u;
    let c4 = o1 % 2u;
    let c5 = q3 % 8u;
    let r6 = c4 * 8u + c5;
    let t7 = buf2[((16u + r6))];
    let q8 = q3 + 1u;
    let c9 = q8 % 8u;
    let r10 = c4 * 8u + c9;
    let t11 = buf2[((16u + r10))];
    let q12 = q3 + 2u;
    let c13 = q12 % 8u;
    let r14 = c4 * 8u + c13;
    let t15 = buf2[((16u + r14))];
    let q16 = q3 + 3u;
    let c17 = q16 % 8u;
    let r18 = c4 * 8u + c17;
    let t19 = buf2[((16u + r18))];
    unit = vec4<f32>(t7, t11, t15, t19);
  }
  buf0[u] = unit;
}
