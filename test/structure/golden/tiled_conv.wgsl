// tiled_conv: conv+relu
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 2, 6]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let tile_m0 = wid.z * 8u + (wid.y * 1u + lid.y) * 8u;
  let tile_p0 = wid.x * 256u + lid.x;
  let m0 = min(tile_m0 + 0u, (wid.z + 1u) * 8u - 1u);
  let m1 = min(tile_m0 + 1u, (wid.z + 1u) * 8u - 1u);
  let m2 = min(tile_m0 + 2u, (wid.z + 1u) * 8u - 1u);
  let m3 = min(tile_m0 + 3u, (wid.z + 1u) * 8u - 1u);
  let m4 = min(tile_m0 + 4u, (wid.z + 1u) * 8u - 1u);
  let m5 = min(tile_m0 + 5u, (wid.z + 1u) * 8u - 1u);
  let m6 = min(tile_m0 + 6u, (wid.z + 1u) * 8u - 1u);
  let m7 = min(tile_m0 + 7u, (wid.z + 1u) * 8u - 1u);
  let col8 = min(tile_p0 + 0u, 63u);
  let out9 = col8 / 64u;
  let in10 = col8 % 64u;
  let c11 = (in10 / 8u);
  let c12 = in10 % 8u;
  let col13 = min(tile_p0 + 64u, 63u);
  let out14 = col13 / 64u;
  let in15 = col13 % 64u;
  let c16 = (in15 / 8u);
  let c17 = in15 % 8u;
  let col18 = min(tile_p0 + 128u, 63u);
  let out19 = col18 / 64u;
  let in20 = col18 % 64u;
  let c21 = (in20 / 8u);
  let c22 = in20 % 8u;
  let col23 = min(tile_p0 + 192u, 63u);
  let out24 = col23 / 64u;
  let in25 = col23 % 64u;
  let c26 = (in25 / 8u);
  let c27 = in25 % 8u;
  var acc_0_0: f32 = 0.0f;
  var acc_0_1: f32 = 0.0f;
  var acc_0_2: f32 = 0.0f;
  var acc_0_3: f32 = 0.0f;
  var acc_1_0: f32 = 0.0f;
  var acc_1_1: f32 = 0.0f;
  var acc_1_2: f32 = 0.0f;
  var acc_1_3: f32 = 0.0f;
  var acc_2_0: f32 = 0.0f;
  var acc_2_1: f32 = 0.0f;
  var acc_2_2: f32 = 0.0f;
  var acc_2_3: f32 = 0.0f;
  var acc_3_0: f32 = 0.0f;
  var acc_3_1: f32 = 0.0f;
  var acc_3_2: f32 = 0.0f;
  var acc_3_3: f32 = 0.0f;
  var acc_4_0: f32 = 0.0f;
  var acc_4_1: f32 = 0.0f;
  var acc_4_2: f32 = 0.0f;
  var acc_4_3: f32 = 0.0f;
  var acc_5_0: f32 = 0.0f;
  var acc_5_1: f32 = 0.0f;
  var acc_5_2: f32 = 0.0f;
  var acc_5_3: f32 = 0.0f;
  var acc_6_0: f32 = 0.0f;
  var acc_6_1: f32 = 0.0f;
  var acc_6_2: f32 = 0.0f;
  var acc_6_3: f32 = 0.0f;
  var acc_7_0: f32 = 0.0f;
  var acc_7_1: f32 = 0.0f;
  var acc_7_2: f32 = 0.0f;
  var acc_7_3: f32 = 0.0f;
  let n29 = 3u + (nwg.x >> 31u);
  for (var i28 = 0u; i28 < n29; i28++) {
    for (var i30 = 0u; i30 < n29; i30++) {
      for (var i31 = 0u; i31 < n29; i31++) {
        let t32 = buf1[m0 * 27u + i28 * 9u + i30 * 3u + i31];
        let t33 = buf1[m1 * 27u + i28 * 9u + i30 * 3u + i31];
        let t34 = buf1[m2 * 27u + i28 * 9u + i30 * 3u + i31];
        let t35 = buf1[m3 * 27u + i28 * 9u + i30 * 3u + i31];
        let t36 = buf1[m4 * 27u + i28 * 9u + i30 * 3u + i31];
        let t37 = buf1[m5 * 27u + i28 * 9u + i30 * 3u + i31];
        let t38 = buf1[m6 * 27u + i28 * 9u + i30 * 3u + i31];
        let t39 = buf1[m7 * 27u + i28 * 9u + i30 * 3u + i31];
        let p40 = i32(c11 + i30) - 1i;
        let q41 = u32(clamp(p40, 0i, 7i));
        let p42 = i32(c12 + i31) - 1i;
        let q43 = u32(clamp(p42, 0i, 7i));
        let t44 = buf0[i28 * 64u + q41 * 8u + q43];
        let t45 = select(0.0f, t44, (p40 >= 0i && p40 < 8i) && (p42 >= 0i && p42 < 8i));
        let p46 = i32(c16 + i30) - 1i;
        let q47 = u32(clamp(p46, 0i, 7i));
        let p48 = i32(c17 + i31) - 1i;
        let q49 = u32(clamp(p48, 0i, 7i));
        let t50 = buf0[i28 * 64u + q47 * 8u + q49];
        let t51 = select(0.0f, t50, (p46 >= 0i && p46 < 8i) && (p48 >= 0i && p48 < 8i));
        let p52 = i32(c21 + i30) - 1i;
        let q53 = u32(clamp(p52, 0i, 7i));
        let p54 = i32(c22 + i31) - 1i;
        let q55 = u32(clamp(p54, 0i, 7i));
        let t56 = buf0[i28 * 64u + q53 * 8u + q55];
        let t57 = select(0.0f, t56, (p52 >= 0i && p52 < 8i) && (p54 >= 0i && p54 < 8i));
        let p58 = i32(c26 + i30) - 1i;
        let q59 = u32(clamp(p58, 0i, 7i));
        let p60 = i32(c27 + i31) - 1i;
        let q61 = u32(clamp(p60, 0i, 7i));
        let t62 = buf0[i28 * 64u + q59 * 8u + q61];
        let t63 = select(0.0f, t62, (p58 >= 0i && p58 < 8i) && (p60 >= 0i && p60 < 8i));
        acc_0_0 = acc_0_0 + t32 * t45;
        acc_0_1 = acc_0_1 + t32 * t51;
        acc_0_2 = acc_0_2 + t32 * t57;
        acc_0_3 = acc_0_3 + t32 * t63;
        acc_1_0 = acc_1_0 + t33 * t45;
        acc_1_1 = acc_1_1 + t33 * t51;
        acc_1_2 = acc_1_2 + t33 * t57;
        acc_1_3 = acc_1_3 + t33 * t63;
        acc_2_0 = acc_2_0 + t34 * t45;
        acc_2_1 = acc_2_1 + t34 * t51;
        acc_2_2 = acc_2_2 + t34 * t57;
        acc_2_3 = acc_2_3 + t34 * t63;
        acc_3_0 = acc_3_0 + t35 * t45;
        acc_3_1 = acc_3_1 + t35 * t51;
        acc_3_2 = acc_3_2 + t35 * t57;
        acc_3_3 = acc_3_3 + t35 * t63;
        acc_4_0 = acc_4_0 + t36 * t45;
        acc_4_1 = acc_4_1 + t36 * t51;
        acc_4_2 = acc_4_2 + t36 * t57;
        acc_4_3 = acc_4_3 + t36 * t63;
        acc_5_0 = acc_5_0 + t37 * t45;
        acc_5_1 = acc_5_1 + t37 * t51;
        acc_5_2 = acc_5_2 + t37 * t57;
        acc_5_3 = acc_5_3 + t37 * t63;
        acc_6_0 = acc_6_0 + t38 * t45;
        acc_6_1 = acc_6_1 + t38 * t51;
        acc_6_2 = acc_6_2 + t38 * t57;
        acc_6_3 = acc_6_3 + t38 * t63;
        acc_7_0 = acc_7_0 + t39 * t45;
        acc_7_1 = acc_7_1 + t39 * t51;
        acc_7_2 = acc_7_2 + t39 * t57;
        acc_7_3 = acc_7_3 + t39 * t63;
      }
    }
  }
  var tile64: array<f32, 32>;
  tile64[0] = acc_0_0;
  tile64[1] = acc_0_1;
  tile64[2] = acc_0_2;
  tile64[3] = acc_0_3;
  tile64[4] = acc_1_0;
  tile64[5] = acc_1_1;
  tile64[6] = acc_1_2;
  tile64[7] = acc_1_3;
  tile64[8] = acc_2_0;
  tile64[9] = acc_2_1;
  tile64[10] = acc_2_2;
  tile64[11] = acc_2_3;
  tile64[12] = acc_3_0;
  tile64[13] = acc_3_1;
  tile64[14] = acc_3_2;
  tile64[15] = acc_3_3;
  tile64[16] = acc_4_0;
  tile64[17] = acc_4_1;
  tile64[18] = acc_4_2;
  tile64[19] = acc_4_3;
  tile64[20] = acc_5_0;
  tile64[21] = acc_5_1;
  tile64[22] = acc_5_2;
  tile64[23] = acc_5_3;
  tile64[24] = acc_6_0;
  tile64[25] = acc_6_1;
  tile64[26] = acc_6_2;
  tile64[27] = acc_6_3;
  tile64[28] = acc_7_0;
  tile64[29] = acc_7_1;
  tile64[30] = acc_7_2;
  tile64[31] = acc_7_3;
  let n66 = 8u + (nwg.x >> 31u);
  for (var i65 = 0u; i65 < n66; i65++) {
    let a67 = tile64[i65 * 4u + 0u];
    if ((tile_m0 + i65) < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
      let t68 = buf2[((tile_m0 + i65))];
      let t69 = max((a67 + t68), 0.0f);
      buf3[(out9 * 8u + (tile_m0 + i65)) * 64u + in10] = t69;
    }
    let a70 = tile64[i65 * 4u + 1u];
    if ((tile_m0 + i65) < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
      let t71 = buf2[((tile_m0 + i65))];
      let t72 = max((a70 + t71), 0.0f);
      buf3[(out14 * 8u + (tile_m0 + i65)) * 64u + in15] = t72;
    }
    let a73 = tile64[i65 * 4u + 2u];
    if ((tile_m0 + i65) < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
      let t74 = buf2[((tile_m0 + i65))];
      let t75 = max((a73 + t74), 0.0f);
      buf3[(out19 * 8u + (tile_m0 + i65)) * 64u + in20] = t75;
    }
    let a76 = tile64[i65 * 4u + 3u];
    if ((tile_m0 + i65) < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
      let t77 = buf2[((tile_m0 + i65))];
      let t78 = max((a76 + t77), 0.0f);
      buf3[(out24 * 8u + (tile_m0 + i65)) * 64u + in25] = t78;
    }
  }
}
