// attention: attention+add
// workgroup size 8x1x1, dispatch 1x2x1, bindings [0, 1, 2, 3, 4, 8]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;
@group(0) @binding(4) var<storage, read_write> buf4: array<f32>;
@group(0) @binding(5) var<storage, read_write> buf5: array<f32>;

fn df_inf() -> f32 {
  var bits = 0x7f800000u;
  return bitcast<f32>(bits);
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x * 8u + lid.x;
  let r0 = min(row, 2u);
  let c1 = wid.y;
  let t2 = buf3[0u];
  var qrow: array<f32, 4>;
  let n4 = 4u + (nwg.x >> 31u);
  for (var i3 = 0u; i3 < n4; i3++) {
    let t5 = buf0[c1 * 12u + r0 * 4u + i3];
    qrow[i3] = t5;
  }
  var acc: array<f32, 4>;
  var m = (-df_inf());
  var l = 0.0f;
  for (var i6 = 0u; i6 < 1u; i6++) {
    let j7 = i6 * 8u;
    let jt8 = min(j7 + 0u, 4u);
    let jt9 = min(j7 + 1u, 4u);
    let jt10 = min(j7 + 2u, 4u);
    let jt11 = min(j7 + 3u, 4u);
    let jt12 = min(j7 + 4u, 4u);
    let jt13 = min(j7 + 5u, 4u);
    let jt14 = min(j7 + 6u, 4u);
    let jt15 = min(j7 + 7u, 4u);
    var s0 = 0.0f;
    var s1 = 0.0f;
    var s2 = 0.0f;
    var s3 = 0.0f;
    var s4 = 0.0f;
    var s5 = 0.0f;
    var s6 = 0.0f;
    var s7 = 0.0f;
    for (var i16 = 0u; i16 < n4; i16++) {
      let qc17 = qrow[i16];
      let t18 = buf1[c1 * 20u + i16 * 5u + jt8];
      s0 = fma(qc17, t18, s0);
      let t19 = buf1[c1 * 20u + i16 * 5u + jt9];
      s1 = fma(qc17, t19, s1);
      let t20 = buf1[c1 * 20u + i16 * 5u + jt10];
      s2 = fma(qc17, t20, s2);
      let t21 = buf1[c1 * 20u + i16 * 5u + jt11];
      s3 = fma(qc17, t21, s3);
      let t22 = buf1[c1 * 20u + i16 * 5u + jt12];
      s4 = fma(qc17, t22, s4);
      let t23 = buf1[c1 * 20u + i16 * 5u + jt13];
      s5 = fma(qc17, t23, s5);
      let t24 = buf1[c1 * 20u + i16 * 5u + jt14];
      s6 = fma(qc17, t24, s6);
      let t25 = buf1[c1 * 20u + i16 * 5u + jt15];
      s7 = fma(qc17, t25, s7);
    }
    let t26 = buf4[r0 * 5u + jt8];
    s0 = s0 * t2 + t26;
    let t27 = buf4[r0 * 5u + jt9];
    s1 = select((-df_inf()), s1 * t2 + t27, j7 + 1u < 5u);
    let t28 = buf4[r0 * 5u + jt10];
    s2 = select((-df_inf()), s2 * t2 + t28, j7 + 2u < 5u);
    let t29 = buf4[r0 * 5u + jt11];
    s3 = select((-df_inf()), s3 * t2 + t29, j7 + 3u < 5u);
    let t30 = buf4[r0 * 5u + jt12];
    s4 = select((-df_inf()), s4 * t2 + t30, j7 + 4u < 5u);
    let t31 = buf4[r0 * 5u + jt13];
    s5 = select((-df_inf()), s5 * t2 + t31, j7 + 5u < 5u);
    let t32 = buf4[r0 * 5u + jt14];
    s6 = select((-df_inf()), s6 * t2 + t32, j7 + 6u < 5u);
    let t33 = buf4[r0 * 5u + jt15];
    s7 = select((-df_inf()), s7 * t2 + t33, j7 + 7u < 5u);
    let mn = max(m, max(max(max(max(max(max(max(s0, s1), s2), s3), s4), s5), s6), s7));
    let alive = mn != (-df_inf());
    let corr = select(1.0f, exp(m - mn), alive);
    let p0 = select(0.0f, exp(s0 - mn), alive);
    let p1 = select(0.0f, exp(s1 - mn), alive);
    let p2 = select(0.0f, exp(s2 - mn), alive);
    let p3 = select(0.0f, exp(s3 - mn), alive);
    let p4 = select(0.0f, exp(s4 - mn), alive);
    let p5 = select(0.0f, exp(s5 - mn), alive);
    let p6 = select(0.0f, exp(s6 - mn), alive);
    let p7 = select(0.0f, exp(s7 - mn), alive);
    l = l * corr + p0 + p1 + p2 + p3 + p4 + p5 + p6 + p7;
    m = mn;
    for (var i34 = 0u; i34 < n4; i34++) {
      let t35 = buf2[c1 * 20u + jt8 * 4u + i34];
      let t36 = buf2[c1 * 20u + jt9 * 4u + i34];
      let t37 = buf2[c1 * 20u + jt10 * 4u + i34];
      let t38 = buf2[c1 * 20u + jt11 * 4u + i34];
      let t39 = buf2[c1 * 20u + jt12 * 4u + i34];
      let t40 = buf2[c1 * 20u + jt13 * 4u + i34];
      let t41 = buf2[c1 * 20u + jt14 * 4u + i34];
      let t42 = buf2[c1 * 20u + jt15 * 4u + i34];
      acc[i34] = acc[i34] * corr + p0 * t35 + p1 * t36 + p2 * t37 + p3 * t38 + p4 * t39 + p5 * t40 + p6 * t41 + p7 * t42;
    }
  }
  if (row < 3u) {
    for (var i43 = 0u; i43 < n4; i43++) {
      let t44 = buf0[c1 * 12u + row * 4u + i43];
      let t45 = ((acc[i43] / l) + t44);
      buf5[c1 * 12u + row * 4u + i43] = t45;
    }
  }
}
