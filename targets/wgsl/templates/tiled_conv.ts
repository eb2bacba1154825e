import type { Dim, Node, Shape } from '../../../ir/index.js';
import { ceilDivDims, mulDims, shapeNumel, subDims } from '../../../ir/index.js';
import { tiledGrid } from '../grid.js';
import type { WindowGeometry } from '../../../ir/ops/nn.js';
import { windowGeometry } from '../../../ir/ops/nn.js';
import type { Expr } from '../expr.js';
import { expr, toStorage } from '../expr.js';
import type { TensorAccess } from '../kernel_builder.js';
import { KernelBuilder, unravel } from '../kernel_builder.js';
import type { GeneratedKernel, KernelGroup, KernelTemplate, TemplateTarget } from '../kernel_types.js';
import { kernelLoops, masked, toAccumulator, windowReaching, windowTap } from '../ops/window.js';
import { epilogueInPlace, lowerAroundAnchor } from './group_lowering.js';
import { sharedRows, subgroupShare } from './shared_rows.js';
import { storeTileRows } from './tile_store.js';
import type { TiledConvConfig } from './tile_configs.js';

/**
 * Convolution as an implicit GEMM on registers: rows are output channels (within a group), columns
 * are output pixels of the whole batch. Each invocation accumulates TM channels × TN pixels; its
 * pixels are strided by the workgroup width so neighbouring invocations read neighbouring input
 * addresses while sharing each weight (a broadcast). The reduction runs over input channels and
 * kernel taps as nested loops (no divisions inside), padding masked with select. Fused prologues
 * are read through the operands' accesses; the epilogue (BN folded into bias, activation,
 * residual add) is evaluated on each accumulator before its store.
 *
 * With `sg` set (one row of invocations, subgroups of at least `sg` lanes), lane `i` of each
 * subgroup loads the weight of channel `i` (mod `sg`) and `subgroupBroadcast` shares it, instead
 * of every invocation loading all TM weights (see the vec4 matmul template for why).
 */

/**
 * One row of invocations: the channels of an invocation then depend only on the workgroup id, so
 * weight loads are uniform (scalar on SIMD-per-lane rasterizers like lavapipe, broadcast on GPUs).
 */
export function defaultConvConfig(channelsPerGroup: number, subgroupMinSize = 0): TiledConvConfig {
  // With subgroups: a workgroup of one subgroup, 16 channels × 4 pixels per invocation. Measured
  // on lavapipe against 64 × (8 × 4): 1.3× on 3x3 64ch·56², 1.9× on 256ch·14², 5× on 512ch·7²
  // (few pixels: a wide workgroup mostly repeats its last column).
  if (channelsPerGroup >= 8 && subgroupMinSize >= 8) return { wgX: subgroupMinSize, wgY: 1, tm: channelsPerGroup >= 16 ? 16 : 8, tn: 4, sg: 8 };
  // Measured on lavapipe (quiet machine): 8 channels × 4 pixels per invocation runs 3x3 convs of
  // 64ch·56² and 256ch·14² 2.0–2.5× faster than 8 × 2.
  if (channelsPerGroup >= 8) return { wgX: 64, wgY: 1, tm: 8, tn: 4 };
  return channelsPerGroup >= 4 ? { wgX: 64, wgY: 1, tm: 4, tn: 2 } : { wgX: 64, wgY: 1, tm: 1, tn: 4 };
}

/**
 * The convolution a group's anchor computes, as the template sees it: rows (output channels),
 * a reduction over channels and kernel taps, and where each tap reads. A conv reads its window
 * (o·s − p + k·d); the input gradient of an ungrouped conv is the same GEMM over the gradient,
 * each pixel i reading the outputs o whose window reached it (i + p − k·d = o·s, masked where
 * that has no solution), so training's backward pass runs at the forward kernel's speed
 * instead of through the generic one-invocation-per-element gather.
 */
interface ConvForm {
  readonly geometry: WindowGeometry;
  readonly groups: number;
  /** Output channels per group (the template's rows). */
  readonly rowsPerGroup: number;
  /** Reduced channels per group. */
  readonly reducedPerGroup: number;
  /** The weight of output channel `m`, reduced channel `c`, tap `k`. */
  weight(w: TensorAccess, m: string, c: string, k: readonly string[]): Expr;
  /** Where output pixel `o` reads operand 0 at tap `k`: clamped coordinates and a validity mask. */
  tap(b: KernelBuilder, o: readonly string[], k: readonly string[], inSpatial: readonly Dim[], outSpatial: readonly Dim[]): { coords: string[]; valid: string | null };
}

/** The template's view of a conv anchor, or null where it does not apply (symbolic channels or kernel: the generic kernel takes those). */
function convForm(anchor: Node): ConvForm | null {
  const wShape = anchor.inputs[1].type.shape;
  if (wShape.some((d) => typeof d !== 'number') || typeof anchor.outputs[0].type.shape[1] !== 'number') return null;
  const w = wShape as readonly number[];
  const groups = anchor.attrs.group as number;
  const g = windowGeometry(anchor.attrs, w.slice(2), `${anchor.op} '${anchor.name}'`);
  if (anchor.op === 'conv') {
    const channels = anchor.outputs[0].type.shape[1] as number;
    return {
      geometry: g,
      groups,
      rowsPerGroup: channels / groups,
      reducedPerGroup: w[1],
      weight: (wa, m, c, k) => wa.at([m, c, ...k]),
      tap: (b, o, k, inSpatial, outSpatial) => windowTap(b, g, o, k, inSpatial, outSpatial),
    };
  }
  if (anchor.op !== 'convGradInput' || groups !== 1) return null;
  return {
    geometry: g,
    groups: 1,
    rowsPerGroup: w[1],
    reducedPerGroup: w[0],
    weight: (wa, m, c, k) => wa.at([c, m, ...k]),
    tap: (b, o, k, inSpatial) => windowReaching(b, g, o, k, inSpatial),
  };
}

export function matchesTiledConv(group: KernelGroup): boolean {
  const anchor = group.anchor;
  if (!anchor || (anchor.op !== 'conv' && anchor.op !== 'convGradInput') || group.outputs.length !== 1) return false;
  const out = anchor.outputs[0].type.shape;
  const root = group.outputs[0].type.shape;
  const fits = root.length === out.length && root.every((d, i) => d === out[i]) && shapeNumel(out) !== 0 && anchor.outputs[0].type.dtype === 'f32';
  return fits && convForm(anchor) !== null;
}

export function generateTiledConv(group: KernelGroup, config: TiledConvConfig | undefined, target: TemplateTarget): GeneratedKernel | null {
  const subgroupMinSize = target.subgroupMinSize ?? 0;
  const anchor = group.anchor as Node;
  const form = convForm(anchor);
  if (!form) return null;
  const outShape = anchor.outputs[0].type.shape;
  const xShape = anchor.inputs[0].type.shape;
  const { geometry: g, groups, rowsPerGroup: mg, reducedPerGroup: cg } = form;
  const [batch, channels, ...outSpatial] = outShape;
  const inSpatial = xShape.slice(2);
  const pixels = shapeNumel(outSpatial);
  const columns = mulDims(batch, pixels);
  const chosen = config ?? defaultConvConfig(mg, subgroupMinSize);
  const { wgX, wgY, tm, tn } = chosen;
  const sg = subgroupShare(chosen.sg, wgX, wgY, subgroupMinSize);
  const grid = tiledGrid([ceilDivDims(columns, wgX * tn), Math.ceil(mg / (wgY * tm)), groups], target.maxWorkgroupsPerDimension);
  if (!grid) return null;

  const b = new KernelBuilder(target.aliases, target.sizeUniforms);
  const lowered = lowerAroundAnchor(b, group, anchor);
  const [x, w, bias] = lowered.anchorInputs;
  const outName = b.bind(group.outputs[0].id, group.outputs[0].type.dtype);

  b.line(`let tile_m0 = wid.z * ${mg}u + (wid.y * ${wgY}u + lid.y) * ${tm}u;`);
  b.line(`let tile_p0 = wid.x * ${wgX * tn}u + lid.x;`);
  const mEnd = `(wid.z + 1u) * ${mg}u`;
  const rows = sharedRows(b, tm, sg, (offset) => b.let(expr(`min(tile_m0 + ${offset}, ${mEnd} - 1u)`, 'u32'), 'm').code);
  const cBase = groups === 1 ? '0u' : b.let(expr(`wid.z * ${cg}u`, 'u32'), 'cb').code;
  // Each column: its batch index and output coordinates.
  const cols = tileColumns(b, 'tile_p0', tn, wgX, columns, outSpatial).map(({ outer, local, coords }) => ({ n: outer, local, o: coords }));
  const acc = (i: number, j: number) => `acc_${i}_${j}`;
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) b.line(`var ${acc(i, j)}: f32 = 0.0f;`);
  b.loopDim(cg, (c) => {
    const channel = cBase === '0u' ? c : `${cBase} + ${c}`;
    kernelLoops(b, g.kernel, (k) => {
      const ws = rows.values(rows.loadRows.map((m) => toAccumulator(form.weight(w, m, c, k), 'f32')), 'f32');
      const xs = cols.map(({ n, o }) => {
        const tap = form.tap(b, o, k, inSpatial, outSpatial);
        return b.let(masked(toAccumulator(x.at([n, channel, ...tap.coords]), 'f32'), tap.valid)).code;
      });
      for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) b.line(`${acc(i, j)} = ${acc(i, j)} + ${ws[i]} * ${xs[j]};`);
    });
  });
  const stored: string[][] = [];
  storeTileRows(b, { rows: tm, cols: tn, type: 'f32', acc }, (i, j, value) => {
    const m = `(tile_m0 + ${i})`;
    b.block(`if (${m} < ${mEnd} && tile_p0 + ${j * wgX}u < ${b.size(columns)})`, () => {
      const { n, local, o } = cols[j];
      const withBias = bias ? `${value} + ${toAccumulator(bias.at([m]), 'f32').code}` : value;
      lowered.setCurrent(expr(`(${withBias})`, 'f32'));
      stored.push([n, m, ...o]);
      const result = lowered.root.at([n, m, ...o]);
      b.line(`${outName}[(${n} * ${b.size(channels)} + ${m}) * ${b.size(pixels)} + ${local}] = ${toStorage(result, group.outputs[0].type.dtype)};`);
    });
  });
  return { ...b.finish(group.nodes.map((nd) => nd.op).join('+'), 'tiled', [wgX, wgY, 1], grid), elementwiseInputs: epilogueInPlace(b, anchor, stored) };
}

/**
 * The TN columns of an invocation's tile (`first`, then strided by the workgroup width), each
 * clamped into `columns` and split, once outside the reduction, into an outer index and the
 * coordinates of its place in `inner` (e.g. batch and output pixel).
 */
export function tileColumns(b: KernelBuilder, first: string, tn: number, wgX: number, columns: Dim, inner: Shape): { flat: string; outer: string; local: string; coords: string[] }[] {
  const size = shapeNumel(inner);
  return [...Array(tn).keys()].map((j) => {
    const flat = b.let(expr(`min(${first} + ${j * wgX}u, ${b.size(subDims(columns, 1))})`, 'u32'), 'col').code;
    const outer = b.let(expr(`${flat} / ${b.size(size)}`, 'u32'), 'out').code;
    const local = b.let(expr(`${flat} % ${b.size(size)}`, 'u32'), 'in').code;
    return { flat, outer, local, coords: unravel(b, local, inner) };
  });
}

export const TILED_CONV_TEMPLATE: KernelTemplate = {
  name: 'tiled_conv',
  matches: matchesTiledConv,
  generate: (group, target, config) => generateTiledConv(group, config.convConfig?.(group), target),
};
