// tiled_conv: conv+relu
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 2, 6]
@group(0) @binding(0) var<storage, read_write> buf0: array<f32>;
@group(0) @binding(1) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(2) var<storage, read_write> buf2: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
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
  for (var i28 = 0u; i28 < 3u; i28++) {
    for (var i29 = 0u; i29 < 3u; i29++) {
      for (var i30 = 0u; i30 < 3u; i30++) {
        let t31 = buf1[m0 * 27u + i28 * 9u + i29 * 3u + i30];
        let t32 = buf1[m1 * 27u + i28 * 9u + i29 * 3u + i30];
        let t33 = buf1[m2 * 27u + i28 * 9u + i29 * 3u + i30];
        let t34 = buf1[m3 * 27u + i28 * 9u + i29 * 3u + i30];
        let t35 = buf1[m4 * 27u + i28 * 9u + i29 * 3u + i30];
        let t36 = buf1[m5 * 27u + i28 * 9u + i29 * 3u + i30];
        let t37 = buf1[m6 * 27u + i28 * 9u + i29 * 3u + i30];
        let t38 = buf1[m7 * 27u + i28 * 9u + i29 * 3u + i30];
        let p39 = i32(c11 + i29) - 1i;
        let q40 = u32(clamp(p39, 0i, 7i));
        let p41 = i32(c12 + i30) - 1i;
        let q42 = u32(clamp(p41, 0i, 7i));
        let t43 = buf0[i28 * 64u + q40 * 8u + q42];
        let t44 = select(0.0f, t43, (p39 >= 0i && p39 < 8i) && (p41 >= 0i && p41 < 8i));
        let p45 = i32(c16 + i29) - 1i;
        let q46 = u32(clamp(p45, 0i, 7i));
        let p47 = i32(c17 + i30) - 1i;
        let q48 = u32(clamp(p47, 0i, 7i));
        let t49 = buf0[i28 * 64u + q46 * 8u + q48];
        let t50 = select(0.0f, t49, (p45 >= 0i && p45 < 8i) && (p47 >= 0i && p47 < 8i));
        let p51 = i32(c21 + i29) - 1i;
        let q52 = u32(clamp(p51, 0i, 7i));
        let p53 = i32(c22 + i30) - 1i;
        let q54 = u32(clamp(p53, 0i, 7i));
        let t55 = buf0[i28 * 64u + q52 * 8u + q54];
        let t56 = select(0.0f, t55, (p51 >= 0i && p51 < 8i) && (p53 >= 0i && p53 < 8i));
        let p57 = i32(c26 + i29) - 1i;
        let q58 = u32(clamp(p57, 0i, 7i));
        let p59 = i32(c27 + i30) - 1i;
        let q60 = u32(clamp(p59, 0i, 7i));
        let t61 = buf0[i28 * 64u + q58 * 8u + q60];
        let t62 = select(0.0f, t61, (p57 >= 0i && p57 < 8i) && (p59 >= 0i && p59 < 8i));
        acc_0_0 = acc_0_0 + t31 * t44;
        acc_0_1 = acc_0_1 + t31 * t50;
        acc_0_2 = acc_0_2 + t31 * t56;
        acc_0_3 = acc_0_3 + t31 * t62;
        acc_1_0 = acc_1_0 + t32 * t44;
        acc_1_1 = acc_1_1 + t32 * t50;
        acc_1_2 = acc_1_2 + t32 * t56;
        acc_1_3 = acc_1_3 + t32 * t62;
        acc_2_0 = acc_2_0 + t33 * t44;
        acc_2_1 = acc_2_1 + t33 * t50;
        acc_2_2 = acc_2_2 + t33 * t56;
        acc_2_3 = acc_2_3 + t33 * t62;
        acc_3_0 = acc_3_0 + t34 * t44;
        acc_3_1 = acc_3_1 + t34 * t50;
        acc_3_2 = acc_3_2 + t34 * t56;
        acc_3_3 = acc_3_3 + t34 * t62;
        acc_4_0 = acc_4_0 + t35 * t44;
        acc_4_1 = acc_4_1 + t35 * t50;
        acc_4_2 = acc_4_2 + t35 * t56;
        acc_4_3 = acc_4_3 + t35 * t62;
        acc_5_0 = acc_5_0 + t36 * t44;
        acc_5_1 = acc_5_1 + t36 * t50;
        acc_5_2 = acc_5_2 + t36 * t56;
        acc_5_3 = acc_5_3 + t36 * t62;
        acc_6_0 = acc_6_0 + t37 * t44;
        acc_6_1 = acc_6_1 + t37 * t50;
        acc_6_2 = acc_6_2 + t37 * t56;
        acc_6_3 = acc_6_3 + t37 * t62;
        acc_7_0 = acc_7_0 + t38 * t44;
        acc_7_1 = acc_7_1 + t38 * t50;
        acc_7_2 = acc_7_2 + t38 * t56;
        acc_7_3 = acc_7_3 + t38 * t62;
      }
    }
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t63 = buf2[((tile_m0 + 0u))];
    let t64 = max((acc_0_0 + t63), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 0u)) * 64u + in10] = t64;
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t65 = buf2[((tile_m0 + 0u))];
    let t66 = max((acc_0_1 + t65), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 0u)) * 64u + in15] = t66;
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t67 = buf2[((tile_m0 + 0u))];
    let t68 = max((acc_0_2 + t67), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 0u)) * 64u + in20] = t68;
  }
  if (tile_m0 + 0u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t69 = buf2[((tile_m0 + 0u))];
    let t70 = max((acc_0_3 + t69), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 0u)) * 64u + in25] = t70;
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t71 = buf2[((tile_m0 + 1u))];
    let t72 = max((acc_1_0 + t71), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 1u)) * 64u + in10] = t72;
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t73 = buf2[((tile_m0 + 1u))];
    let t74 = max((acc_1_1 + t73), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 1u)) * 64u + in15] = t74;
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t75 = buf2[((tile_m0 + 1u))];
    let t76 = max((acc_1_2 + t75), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 1u)) * 64u + in20] = t76;
  }
  if (tile_m0 + 1u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t77 = buf2[((tile_m0 + 1u))];
    let t78 = max((acc_1_3 + t77), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 1u)) * 64u + in25] = t78;
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t79 = buf2[((tile_m0 + 2u))];
    let t80 = max((acc_2_0 + t79), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 2u)) * 64u + in10] = t80;
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t81 = buf2[((tile_m0 + 2u))];
    let t82 = max((acc_2_1 + t81), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 2u)) * 64u + in15] = t82;
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t83 = buf2[((tile_m0 + 2u))];
    let t84 = max((acc_2_2 + t83), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 2u)) * 64u + in20] = t84;
  }
  if (tile_m0 + 2u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t85 = buf2[((tile_m0 + 2u))];
    let t86 = max((acc_2_3 + t85), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 2u)) * 64u + in25] = t86;
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t87 = buf2[((tile_m0 + 3u))];
    let t88 = max((acc_3_0 + t87), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 3u)) * 64u + in10] = t88;
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t89 = buf2[((tile_m0 + 3u))];
    let t90 = max((acc_3_1 + t89), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 3u)) * 64u + in15] = t90;
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t91 = buf2[((tile_m0 + 3u))];
    let t92 = max((acc_3_2 + t91), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 3u)) * 64u + in20] = t92;
  }
  if (tile_m0 + 3u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t93 = buf2[((tile_m0 + 3u))];
    let t94 = max((acc_3_3 + t93), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 3u)) * 64u + in25] = t94;
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t95 = buf2[((tile_m0 + 4u))];
    let t96 = max((acc_4_0 + t95), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 4u)) * 64u + in10] = t96;
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t97 = buf2[((tile_m0 + 4u))];
    let t98 = max((acc_4_1 + t97), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 4u)) * 64u + in15] = t98;
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t99 = buf2[((tile_m0 + 4u))];
    let t100 = max((acc_4_2 + t99), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 4u)) * 64u + in20] = t100;
  }
  if (tile_m0 + 4u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t101 = buf2[((tile_m0 + 4u))];
    let t102 = max((acc_4_3 + t101), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 4u)) * 64u + in25] = t102;
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t103 = buf2[((tile_m0 + 5u))];
    let t104 = max((acc_5_0 + t103), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 5u)) * 64u + in10] = t104;
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t105 = buf2[((tile_m0 + 5u))];
    let t106 = max((acc_5_1 + t105), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 5u)) * 64u + in15] = t106;
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t107 = buf2[((tile_m0 + 5u))];
    let t108 = max((acc_5_2 + t107), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 5u)) * 64u + in20] = t108;
  }
  if (tile_m0 + 5u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t109 = buf2[((tile_m0 + 5u))];
    let t110 = max((acc_5_3 + t109), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 5u)) * 64u + in25] = t110;
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t111 = buf2[((tile_m0 + 6u))];
    let t112 = max((acc_6_0 + t111), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 6u)) * 64u + in10] = t112;
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t113 = buf2[((tile_m0 + 6u))];
    let t114 = max((acc_6_1 + t113), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 6u)) * 64u + in15] = t114;
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t115 = buf2[((tile_m0 + 6u))];
    let t116 = max((acc_6_2 + t115), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 6u)) * 64u + in20] = t116;
  }
  if (tile_m0 + 6u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t117 = buf2[((tile_m0 + 6u))];
    let t118 = max((acc_6_3 + t117), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 6u)) * 64u + in25] = t118;
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 8u && tile_p0 + 0u < 64u) {
    let t119 = buf2[((tile_m0 + 7u))];
    let t120 = max((acc_7_0 + t119), 0.0f);
    buf3[(out9 * 8u + (tile_m0 + 7u)) * 64u + in10] = t120;
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 8u && tile_p0 + 64u < 64u) {
    let t121 = buf2[((tile_m0 + 7u))];
    let t122 = max((acc_7_1 + t121), 0.0f);
    buf3[(out14 * 8u + (tile_m0 + 7u)) * 64u + in15] = t122;
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 8u && tile_p0 + 128u < 64u) {
    let t123 = buf2[((tile_m0 + 7u))];
    let t124 = max((acc_7_2 + t123), 0.0f);
    buf3[(out19 * 8u + (tile_m0 + 7u)) * 64u + in20] = t124;
  }
  if (tile_m0 + 7u < (wid.z + 1u) * 8u && tile_p0 + 192u < 64u) {
    let t125 = buf2[((tile_m0 + 7u))];
    let t126 = max((acc_7_3 + t125), 0.0f);
    buf3[(out24 * 8u + (tile_m0 + 7u)) * 64u + in25] = t126;
  }
}
