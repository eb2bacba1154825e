// generic_gather_transpose: gather+transpose
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 5]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<i32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * (nwg.x * 64u);
  if (idx >= 24u) { return; }
  let c0 = (idx / 6u);
  let c1 = (idx / 2u) % 3u;
  let c2 = idx % 2u;
  let t3 = buf1[c1 * 2u + c2];
  let g4 = u32(clamp(select(t3, t3 + 10i, t3 < 0i), 0i, 9i));
  let t5 = buf0[g4 * 4u + c0];
  buf2[idx] = t5;
}
