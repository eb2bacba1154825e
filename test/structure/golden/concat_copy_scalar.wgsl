// concat_copy_scalar: neg+concat
// workgroup size 64x1x1, dispatch 1x1x1, bindings [6, 0, 4, 1]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let u = gid.x + gid.y * (nwg.x * 64u);
  if (u >= 63u) { return; }
  let o0 = u / 21u;
  let r1 = u - o0 * 21u;
  var unit: f32;
  if (r1 < 1u) {
    unit = buf1[o0 * 1u + r1];
  }
  else if (r1 < 18u) {
    let q2 = r1 - 1u;
    let t3 = buf3[o0 * 17u + q2];
    let t4 = -t3;
    unit = t4;
  }
  else {
    let q5 = r1 - 18u;
    unit = buf2[o0 * 3u + q5];
  }
  buf0[u] = unit;
}
