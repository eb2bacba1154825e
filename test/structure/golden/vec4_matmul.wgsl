// vec4_matmul: matmul+add+relu
// workgroup size 64x1x1, dispatch 1x1x1, bindings [0, 1, 8, 4]
@group(0) @binding(0) var<storage, read_write> buf0: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> buf1: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> buf2: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> buf3: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_row0 = wid.y * 8u;
  let tile_col4 = wid.x * 64u + lid.x;
  let ar0 = ((0u) * 8u + min(tile_row0 + 0u, 7u)) * 4u;
  let ar1 = ((0u) * 8u + min(tile_row0 + 1u, 7u)) * 4u;
  let ar2 = ((0u) * 8u + min(tile_row0 + 2u, 7u)) * 4u;
  let ar3 = ((0u) * 8u + min(tile_row0 + 3u, 7u)) * 4u;
  let ar4 = ((0u) * 8u + min(tile_row0 + 4u, 7u)) * 4u;
  let ar5 = ((0u) * 8u + min(tile_row0 + 5u, 7u)) * 4u;
  let ar6 = ((0u) * 8u + min(tile_row0 + 6u, 7u)) * 4u;
  let ar7 = ((0u) * 8u + min(tile_row0 + 7u, 7u)) * 4u;
  let bb8 = (0u) * 128u;
  let cj9 = min(tile_col4 + 0u, 7u);
  var acc_0_0 = vec4<f32>(0.0f);
  var acc_1_0 = vec4<f32>(0.0f);
  var acc_2_0 = vec4<f32>(0.0f);
  var acc_3_0 = vec4<f32>(0.0f);
  var acc_4_0 = vec4<f32>(0.0f);
  var acc_5_0 = vec4<f32>(0.0f);
  var acc_6_0 = vec4<f32>(0.0f);
  var acc_7_0 = vec4<f32>(0.0f);
  for (var kq = 0u; kq < 4u; kq++) {
    let row10 = buf0[ar0 + kq];
    let row11 = buf0[ar1 + kq];
    let row12 = buf0[ar2 + kq];
    let row13 = buf0[ar3 + kq];
    let row14 = buf0[ar4 + kq];
    let row15 = buf0[ar5 + kq];
    let row16 = buf0[ar6 + kq];
    let row17 = buf0[ar7 + kq];
    let bq18 = buf1[bb8 + (kq * 4u + 0u) * 8u + cj9];
    let bq19 = buf1[bb8 + (kq * 4u + 1u) * 8u + cj9];
    let bq20 = buf1[bb8 + (kq * 4u + 2u) * 8u + cj9];
    let bq21 = buf1[bb8 + (kq * 4u + 3u) * 8u + cj9];
    acc_0_0 = fma(vec4<f32>(row10.w), bq21, fma(vec4<f32>(row10.z), bq20, fma(vec4<f32>(row10.y), bq19, fma(vec4<f32>(row10.x), bq18, acc_0_0))));
    acc_1_0 = fma(vec4<f32>(row11.w), bq21, fma(vec4<f32>(row11.z), bq20, fma(vec4<f32>(row11.y), bq19, fma(vec4<f32>(row11.x), bq18, acc_1_0))));
    acc_2_0 = fma(vec4<f32>(row12.w), bq21, fma(vec4<f32>(row12.z), bq20, fma(vec4<f32>(row12.y), bq19, fma(vec4<f32>(row12.x), bq18, acc_2_0))));
    acc_3_0 = fma(vec4<f32>(row13.w), bq21, fma(vec4<f32>(row13.z), bq20, fma(vec4<f32>(row13.y), bq19, fma(vec4<f32>(row13.x), bq18, acc_3_0))));
    acc_4_0 = fma(vec4<f32>(row14.w), bq21, fma(vec4<f32>(row14.z), bq20, fma(vec4<f32>(row14.y), bq19, fma(vec4<f32>(row14.x), bq18, acc_4_0))));
    acc_5_0 = fma(vec4<f32>(row15.w), bq21, fma(vec4<f32>(row15.z), bq20, fma(vec4<f32>(row15.y), bq19, fma(vec4<f32>(row15.x), bq18, acc_5_0))));
    acc_6_0 = fma(vec4<f32>(row16.w), bq21, fma(vec4<f32>(row16.z), bq20, fma(vec4<f32>(row16.y), bq19, fma(vec4<f32>(row16.x), bq18, acc_6_0))));
    acc_7_0 = fma(vec4<f32>(row17.w), bq21, fma(vec4<f32>(row17.z), bq20, fma(vec4<f32>(row17.y), bq19, fma(vec4<f32>(row17.x), bq18, acc_7_0))));
  }
  if (tile_row0 + 0u < 8u && tile_col4 + 0u < 8u) {
    let t22 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t23 = (acc_0_0.x + t22);
    let t24 = max(t23, 0.0f);
    let t25 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t26 = (acc_0_0.y + t25);
    let t27 = max(t26, 0.0f);
    let t28 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t29 = (acc_0_0.z + t28);
    let t30 = max(t29, 0.0f);
    let t31 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t32 = (acc_0_0.w + t31);
    let t33 = max(t32, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 0u) * 8u + tile_col4 + 0u] = vec4<f32>(t24, t27, t30, t33);
  }
  if (tile_row0 + 1u < 8u && tile_col4 + 0u < 8u) {
    let t34 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t35 = (acc_1_0.x + t34);
    let t36 = max(t35, 0.0f);
    let t37 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t38 = (acc_1_0.y + t37);
    let t39 = max(t38, 0.0f);
    let t40 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t41 = (acc_1_0.z + t40);
    let t42 = max(t41, 0.0f);
    let t43 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t44 = (acc_1_0.w + t43);
    let t45 = max(t44, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 1u) * 8u + tile_col4 + 0u] = vec4<f32>(t36, t39, t42, t45);
  }
  if (tile_row0 + 2u < 8u && tile_col4 + 0u < 8u) {
    let t46 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t47 = (acc_2_0.x + t46);
    let t48 = max(t47, 0.0f);
    let t49 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t50 = (acc_2_0.y + t49);
    let t51 = max(t50, 0.0f);
    let t52 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t53 = (acc_2_0.z + t52);
    let t54 = max(t53, 0.0f);
    let t55 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t56 = (acc_2_0.w + t55);
    let t57 = max(t56, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 2u) * 8u + tile_col4 + 0u] = vec4<f32>(t48, t51, t54, t57);
  }
  if (tile_row0 + 3u < 8u && tile_col4 + 0u < 8u) {
    let t58 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t59 = (acc_3_0.x + t58);
    let t60 = max(t59, 0.0f);
    let t61 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t62 = (acc_3_0.y + t61);
    let t63 = max(t62, 0.0f);
    let t64 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t65 = (acc_3_0.z + t64);
    let t66 = max(t65, 0.0f);
    let t67 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t68 = (acc_3_0.w + t67);
    let t69 = max(t68, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 3u) * 8u + tile_col4 + 0u] = vec4<f32>(t60, t63, t66, t69);
  }
  if (tile_row0 + 4u < 8u && tile_col4 + 0u < 8u) {
    let t70 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t71 = (acc_4_0.x + t70);
    let t72 = max(t71, 0.0f);
    let t73 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t74 = (acc_4_0.y + t73);
    let t75 = max(t74, 0.0f);
    let t76 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t77 = (acc_4_0.z + t76);
    let t78 = max(t77, 0.0f);
    let t79 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t80 = (acc_4_0.w + t79);
    let t81 = max(t80, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 4u) * 8u + tile_col4 + 0u] = vec4<f32>(t72, t75, t78, t81);
  }
  if (tile_row0 + 5u < 8u && tile_col4 + 0u < 8u) {
    let t82 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t83 = (acc_5_0.x + t82);
    let t84 = max(t83, 0.0f);
    let t85 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t86 = (acc_5_0.y + t85);
    let t87 = max(t86, 0.0f);
    let t88 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t89 = (acc_5_0.z + t88);
    let t90 = max(t89, 0.0f);
    let t91 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t92 = (acc_5_0.w + t91);
    let t93 = max(t92, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 5u) * 8u + tile_col4 + 0u] = vec4<f32>(t84, t87, t90, t93);
  }
  if (tile_row0 + 6u < 8u && tile_col4 + 0u < 8u) {
    let t94 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t95 = (acc_6_0.x + t94);
    let t96 = max(t95, 0.0f);
    let t97 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t98 = (acc_6_0.y + t97);
    let t99 = max(t98, 0.0f);
    let t100 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t101 = (acc_6_0.z + t100);
    let t102 = max(t101, 0.0f);
    let t103 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t104 = (acc_6_0.w + t103);
    let t105 = max(t104, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 6u) * 8u + tile_col4 + 0u] = vec4<f32>(t96, t99, t102, t105);
  }
  if (tile_row0 + 7u < 8u && tile_col4 + 0u < 8u) {
    let t106 = buf3[(((tile_col4 + 0u) * 4u + 0u))];
    let t107 = (acc_7_0.x + t106);
    let t108 = max(t107, 0.0f);
    let t109 = buf3[(((tile_col4 + 0u) * 4u + 1u))];
    let t110 = (acc_7_0.y + t109);
    let t111 = max(t110, 0.0f);
    let t112 = buf3[(((tile_col4 + 0u) * 4u + 2u))];
    let t113 = (acc_7_0.z + t112);
    let t114 = max(t113, 0.0f);
    let t115 = buf3[(((tile_col4 + 0u) * 4u + 3u))];
    let t116 = (acc_7_0.w + t115);
    let t117 = max(t116, 0.0f);
    buf2[(wid.z * 8u + tile_row0 + 7u) * 8u + tile_col4 + 0u] = vec4<f32>(t108, t111, t114, t117);
  }
}
