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
  for (var i1 = 0u; i1 < 10u; i1++) {
    let t2 = buf0[row * 10u + i1];
    rowMax0 = max(rowMax0, t2);
  }
  var rowSum3: f32 = 0.0f;
  for (var i4 = 0u; i4 < 10u; i4++) {
    let t5 = buf0[row * 10u + i4];
    rowSum3 = rowSum3 + exp(t5 - rowMax0);
  }
  let t6 = buf0[row * 10u + 0u];
  let t7 = (exp((t6 - rowMax0)) / rowSum3);
  let t8 = buf1[row * 10u + 0u];
  let t9 = (t7 * t8);
  for (var i10 = 0u; i10 < 10u; i10++) {
    let t11 = buf0[row * 10u + i10];
    let t12 = (exp((t11 - rowMax0)) / rowSum3);
    let t13 = buf1[row * 10u + i10];
    let t14 = (t12 * t13);
    buf2[row * 10u + i10] = t14;
  }
}
