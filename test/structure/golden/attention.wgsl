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
  let row0 = wid.x * 32u + lid.x;
  let r0 = min(row0, 2u);
  let r1 = min((row0 + 8u), 2u);
  let r2 = min((row0 + 16u), 2u);
  let r3 = min((row0 + 24u), 2u);
  let c4 = wid.y;
  let t5 = buf3[0u];
  var qrow: array<f32, 16>;
  let n7 = 4u + (nwg.x >> 31u);
  for (var i6 = 0u; i6 < n7; i6++) {
    let t8 = buf0[c4 * 12u + r0 * 4u + i6];
    qrow[i6] = t8;
    let t9 = buf0[c4 * 12u + r1 * 4u + i6];
    qrow[4u + i6] = t9;
    let t10 = buf0[c4 * 12u + r2 * 4u + i6];
    qrow[8u + i6] = t10;
    let t11 = buf0[c4 * 12u + r3 * 4u + i6];
    qrow[12u + i6] = t11;
  }
  var acc: array<f32, 16>;
  var m0 = (-df_inf());
  var m1 = (-df_inf());
  var m2 = (-df_inf());
  var m3 = (-df_inf());
  var l0 = 0.0f;
  var l1 = 0.0f;
  var l2 = 0.0f;
  var l3 = 0.0f;
  let n13 = 2u + (nwg.x >> 31u);
  for (var i12 = 0u; i12 < n13; i12++) {
    let j14 = i12 * 4u;
    let jt15 = min(j14 + 0u, 4u);
    let jt16 = min(j14 + 1u, 4u);
    let jt17 = min(j14 + 2u, 4u);
    let jt18 = min(j14 + 3u, 4u);
    var s0_0 = 0.0f;
    var s0_1 = 0.0f;
    var s0_2 = 0.0f;
    var s0_3 = 0.0f;
    var s1_0 = 0.0f;
    var s1_1 = 0.0f;
    var s1_2 = 0.0f;
    var s1_3 = 0.0f;
    var s2_0 = 0.0f;
    var s2_1 = 0.0f;
    var s2_2 = 0.0f;
    var s2_3 = 0.0f;
    var s3_0 = 0.0f;
    var s3_1 = 0.0f;
    var s3_2 = 0.0f;
    var s3_3 = 0.0f;
    for (var i19 = 0u; i19 < n7; i19++) {
      let qc20 = qrow[i19];
      let qc21 = qrow[4u + i19];
      let qc22 = qrow[8u + i19];
      let qc23 = qrow[12u + i19];
      let t24 = buf1[c4 * 20u + i19 * 5u + jt15];
      s0_0 = fma(qc20, t24, s0_0);
      s1_0 = fma(qc21, t24, s1_0);
      s2_0 = fma(qc22, t24, s2_0);
      s3_0 = fma(qc23, t24, s3_0);
      let t25 = buf1[c4 * 20u + i19 * 5u + jt16];
      s0_1 = fma(qc20, t25, s0_1);
      s1_1 = fma(qc21, t25, s1_1);
      s2_1 = fma(qc22, t25, s2_1);
      s3_1 = fma(qc23, t25, s3_1);
      let t26 = buf1[c4 * 20u + i19 * 5u + jt17];
      s0_2 = fma(qc20, t26, s0_2);
      s1_2 = fma(qc21, t26, s1_2);
      s2_2 = fma(qc22, t26, s2_2);
      s3_2 = fma(qc23, t26, s3_2);
      let t27 = buf1[c4 * 20u + i19 * 5u + jt18];
      s0_3 = fma(qc20, t27, s0_3);
      s1_3 = fma(qc21, t27, s1_3);
      s2_3 = fma(qc22, t27, s2_3);
      s3_3 = fma(qc23, t27, s3_3);
    }
    let t28 = buf4[r0 * 5u + jt15];
    s0_0 = s0_0 * t5 + t28;
    let t29 = buf4[r0 * 5u + jt16];
    s0_1 = select((-df_inf()), s0_1 * t5 + t29, j14 + 1u < 5u);
    let t30 = buf4[r0 * 5u + jt17];
    s0_2 = select((-df_inf()), s0_2 * t5 + t30, j14 + 2u < 5u);
    let t31 = buf4[r0 * 5u + jt18];
    s0_3 = select((-df_inf()), s0_3 * t5 + t31, j14 + 3u < 5u);
    let mn0 = max(m0, max(max(max(s0_0, s0_1), s0_2), s0_3));
    let alive0 = mn0 != (-df_inf());
    let corr0 = select(1.0f, exp(m0 - mn0), alive0);
    let p0_0 = select(0.0f, exp(s0_0 - mn0), alive0);
    let p0_1 = select(0.0f, exp(s0_1 - mn0), alive0);
    let p0_2 = select(0.0f, exp(s0_2 - mn0), alive0);
    let p0_3 = select(0.0f, exp(s0_3 - mn0), alive0);
    l0 = l0 * corr0 + p0_0 + p0_1 + p0_2 + p0_3;
    m0 = mn0;
    let t32 = buf4[r1 * 5u + jt15];
    s1_0 = s1_0 * t5 + t32;
    let t33 = buf4[r1 * 5u + jt16];
    s1_1 = select((-df_inf()), s1_1 * t5 + t33, j14 + 1u < 5u);
    let t34 = buf4[r1 * 5u + jt17];
    s1_2 = select((-df_inf()), s1_2 * t5 + t34, j14 + 2u < 5u);
    let t35 = buf4[r1 * 5u + jt18];
    s1_3 = select((-df_inf()), s1_3 * t5 + t35, j14 + 3u < 5u);
    let mn1 = max(m1, max(max(max(s1_0, s1_1), s1_2), s1_3));
    let alive1 = mn1 != (-df_inf());
    let corr1 = select(1.0f, exp(m1 - mn1), alive1);
    let p1_0 = select(0.0f, exp(s1_0 - mn1), alive1);
    let p1_1 = select(0.0f, exp(s1_1 - mn1), alive1);
    let p1_2 = select(0.0f, exp(s1_2 - mn1), alive1);
    let p1_3 = select(0.0f, exp(s1_3 - mn1), alive1);
    l1 = l1 * corr1 + p1_0 + p1_1 + p1_2 + p1_3;
    m1 = mn1;
    let t36 = buf4[r2 * 5u + jt15];
    s2_0 = s2_0 * t5 + t36;
    let t37 = buf4[r2 * 5u + jt16];
    s2_1 = select((-df_inf()), s2_1 * t5 + t37, j14 + 1u < 5u);
    let t38 = buf4[r2 * 5u + jt17];
    s2_2 = select((-df_inf()), s2_2 * t5 + t38, j14 + 2u < 5u);
    let t39 = buf4[r2 * 5u + jt18];
    s2_3 = select((-df_inf()), s2_3 * t5 + t39, j14 + 3u < 5u);
    let mn2 = max(m2, max(max(max(s2_0, s2_1), s2_2), s2_3));
    let alive2 = mn2 != (-df_inf());
    let corr2 = select(1.0f, exp(m2 - mn2), alive2);
    let p2_0 = select(0.0f, exp(s2_0 - mn2), alive2);
    let p2_1 = select(0.0f, exp(s2_1 - mn2), alive2);
    let p2_2 = select(0.0f, exp(s2_2 - mn2), alive2);
    let p2_3 = select(0.0f, exp(s2_3 - mn2), alive2);
    l2 = l2 * corr2 + p2_0 + p2_1 + p2_2 + p2_3;
    m2 = mn2;
    let t40 = buf4[r3 * 5u + jt15];
    s3_0 = s3_0 * t5 + t40;
    let t41 = buf4[r3 * 5u + jt16];
    s3_1 = select((-df_inf()), s3_1 * t5 + t41, j14 + 1u < 5u);
    let t42 = buf4[r3 * 5u + jt17];
    s3_2 = select((-df_inf()), s3_2 * t5 + t42, j14 + 2u < 5u);
    let t43 = buf4[r3 * 5u + jt18];
    s3_3 = select((-df_inf()), s3_3 * t5 + t43, j14 + 3u < 5u);
    let mn3 = max(m3, max(max(max(s3_0, s3_1), s3_2), s3_3));
    let alive3 = mn3 != (-df_inf());
    let corr3 = select(1.0f, exp(m3 - mn3), alive3);
    let p3_0 = select(0.0f, exp(s3_0 - mn3), alive3);
    let p3_1 = select(0.0f, exp(s3_1 - mn3), alive3);
    let p3_2 = select(0.0f, exp(s3_2 - mn3), alive3);
    let p3_3 = select(0.0f, exp(s3_3 - mn3), alive3);
    l3 = l3 * corr3 + p3_0 + p3_1 + p3_2 + p3_3;
    m3 = mn3;
    for (var i44 = 0u; i44 < n7; i44++) {
      let t45 = buf2[c4 * 20u + jt15 * 4u + i44];
      let t46 = buf2[c4 * 20u + jt16 * 4u + i44];
      let t47 = buf2[c4 * 20u + jt17 * 4u + i44];
      let t48 = buf2[c4 * 20u + jt18 * 4u + i44];
      acc[i44] = acc[i44] * corr0 + p0_0 * t45 + p0_1 * t46 + p0_2 * t47 + p0_3 * t48;
      acc[4u + i44] = acc[4u + i44] * corr1 + p1_0 * t45 + p1_1 * t46 + p1_2 * t47 + p1_3 * t48;
      acc[8u + i44] = acc[8u + i44] * corr2 + p2_0 * t45 + p2_1 * t46 + p2_2 * t47 + p2_3 * t48;
      acc[12u + i44] = acc[12u + i44] * corr3 + p3_0 * t45 + p3_1 * t46 + p3_2 * t47 + p3_3 * t48;
    }
  }
  if (row0 < 3u) {
    for (var i49 = 0u; i49 < n7; i49++) {
      let t50 = buf0[c4 * 12u + row0 * 4u + i49];
      let t51 = ((acc[i49] / l0) + t50);
      buf5[c4 * 12u + row0 * 4u + i49] = t51;
    }
  }
  if ((row0 + 8u) < 3u) {
    for (var i52 = 0u; i52 < n7; i52++) {
      let t53 = buf0[c4 * 12u + ((row0 + 8u)) * 4u + i52];
      let t54 = ((acc[4u + i52] / l1) + t53);
      buf5[c4 * 12u + ((row0 + 8u)) * 4u + i52] = t54;
    }
  }
  if ((row0 + 16u) < 3u) {
    for (var i55 = 0u; i55 < n7; i55++) {
      let t56 = buf0[c4 * 12u + ((row0 + 16u)) * 4u + i55];
      let t57 = ((acc[8u + i55] / l2) + t56);
      buf5[c4 * 12u + ((row0 + 16u)) * 4u + i55] = t57;
    }
  }
  if ((row0 + 24u) < 3u) {
    for (var i58 = 0u; i58 < n7; i58++) {
      let t59 = buf0[c4 * 12u + ((row0 + 24u)) * 4u + i58];
      let t60 = ((acc[12u + i58] / l3) + t59);
      buf5[c4 * 12u + ((row0 + 24u)) * 4u + i58] = t60;
    }
  }
}
