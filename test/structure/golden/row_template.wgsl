// row_template: softmax+mul
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 3, 5]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;

fn f32_from_bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * (nwg.x * 64u);
  if (row >= 4u) { return; }
  var rowMax0: f32 = f32_from_bits(0xff800000u);
  let n2 = 10u + (nwg.x >> 31u);
  for (var i1 = 0u; i1 < n2; i1++) {
    let t3 = buf0[row * 10u + i1];
    rowMax0 = max(rowMax0, t3);
  }
  var rowSum4: f32 = 0.0f;
  for (var i5 = 0u; i5 < n2; i5++) {
    let t6 = buf0[row * 10u + i5];
    rowSum4 = rowSum4 + exp(t6 - rowMax0);
  }
  let t7 = buf0[row * 10u + 0u];
  let t8 = (exp((t7 - rowMax0)) / rowSum4);
  let t9 = buf1[row * 10u + 0u];
  let t10 = (t8 * t9);
  for (var i11 = 0u; i11 < n2; i11++) {
    let t12 = buf0[row * 10u + i11];
    let t13 = (exp((t12 - rowMax0)) / rowSum4);
    let t14 = buf1[row * 10u + i11];
    let t15 = (t13 * t14);
    buf2[row * 10u + i11] = t15;
  }
}
