// generic_elementwise_broadcast: add+exp+mul
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 6, 8]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * (nwg.x * 64u);
  if (idx >= 60u) { return; }
  let c0 = (idx / 15u);
  let c1 = (idx / 3u) % 5u;
  let c2 = idx % 3u;
  let t3 = buf0[c0 * 3u + c2];
  let t4 = buf1[c1 * 3u + c2];
  let t5 = (t3 + t4);
  let t6 = exp(t5);
  let t7 = buf2[c2];
  let t8 = (t6 * t7);
  buf3[idx] = t8;
}
