// generic_reduction: mul+reduceSum+sqrt
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 7]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * (nwg.x * 64u);
  if (idx >= 20u) { return; }
  let c0 = (idx / 5u);
  let c1 = idx % 5u;
  var acc2: f32 = 0.0f;
  let n4 = 6u + (nwg.x >> 31u);
  for (var i3 = 0u; i3 < n4; i3++) {
    let t5 = buf0[c0 * 30u + i3 * 5u + c1];
    let t6 = buf1[c0 * 30u + i3 * 5u + c1];
    let t7 = (t5 * t6);
    acc2 = acc2 + t7;
  }
  let t8 = sqrt(acc2);
  buf2[idx] = t8;
}
