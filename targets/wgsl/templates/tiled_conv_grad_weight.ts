import type { Node } from '../../../ir/index.js';
import { ceilDivDims, shapeNumel } from '../../../ir/index.js';
import { tiledGrid } from '../grid.js';
import { windowGeometry } from '../../../ir/ops/nn.js';
import { expr, toStorage } from '../expr.js';
import { KernelBuilder } from '../kernel_builder.js';
import type { GeneratedKernel, KernelGroup, KernelTemplate, TemplateTarget } from '../kernel_types.js';
import { kernelLoops, masked, toAccumulator, windowTap } from '../ops/window.js';
import { epilogueInPlace, lowerAroundAnchor } from './group_lowering.js';
import { sharedRows, subgroupShare } from './shared_rows.js';
import { storeTileRows } from './tile_store.js';
import type { TiledConvConfig } from './tile_configs.js';
import { tileColumns } from './tiled_conv.js';

/**
 * A conv's weight gradient as a GEMM on registers: dw[m, c, k] = Σ over batch and output pixels
 * o of dy[n, m, o] · x[n, c, o·s − p + k·d]. Rows are output channels m (their dy values shared
 * through subgroup broadcasts where the device has them, as in the conv template), columns are
 * (input channel, tap) pairs strided by the workgroup width, and the reduction runs over the
 * batch and the output pixels. The generic kernel gives each weight one invocation and a serial
 * loop over every pixel of the batch; this one reuses each load TM or TN times.
 */

export function matchesTiledConvGradWeight(group: KernelGroup): boolean {
  const anchor = group.anchor;
  if (!anchor || anchor.op !== 'convGradWeight' || group.outputs.length !== 1 || anchor.attrs.group !== 1) return false;
  const out = anchor.outputs[0].type.shape;
  const root = group.outputs[0].type.shape;
  // The weight gradient's shape is the weight's: static; the batch and pixels may be symbolic.
  const staticWeight = out.every((d) => typeof d === 'number');
  return staticWeight && root.length === out.length && root.every((d, i) => d === out[i]) && shapeNumel(out) !== 0 && anchor.outputs[0].type.dtype === 'f32';
}

/** The untuned choice: one subgroup per workgroup where there are subgroups. */
export function defaultConvGradWeightConfig(subgroupMinSize: number): TiledConvConfig {
  return subgroupMinSize >= 8 ? { wgX: subgroupMinSize, wgY: 1, tm: 8, tn: 4, sg: 8 } : { wgX: 16, wgY: 4, tm: 4, tn: 2 };
}

export function generateTiledConvGradWeight(group: KernelGroup, config: TiledConvConfig | undefined, target: TemplateTarget): GeneratedKernel | null {
  const subgroupMinSize = target.subgroupMinSize ?? 0;
  const anchor = group.anchor as Node;
  const [xV, dyV] = anchor.inputs;
  const outShape = anchor.outputs[0].type.shape as readonly number[];
  const xShape = xV.type.shape;
  const dyShape = dyV.type.shape;
  const [channelsOut, channelsIn, ...kernel] = outShape;
  const g = windowGeometry(anchor.attrs, kernel, `${anchor.op} '${anchor.name}'`);
  const [batch, , ...outSpatial] = dyShape;
  const inSpatial = xShape.slice(2);
  const taps = kernel.reduce((a, d) => a * d, 1);
  const columns = channelsIn * taps;
  const chosen = config ?? defaultConvGradWeightConfig(subgroupMinSize);
  const { wgX, wgY, tm, tn } = chosen;
  const sg = subgroupShare(chosen.sg, wgX, wgY, subgroupMinSize);
  const grid = tiledGrid([ceilDivDims(columns, wgX * tn), ceilDivDims(channelsOut, wgY * tm), 1], target.maxWorkgroupsPerDimension);
  if (!grid) return null;

  const b = new KernelBuilder(target.aliases, target.sizeUniforms);
  const lowered = lowerAroundAnchor(b, group, anchor);
  const [x, dy] = lowered.anchorInputs;
  const outName = b.bind(group.outputs[0].id, group.outputs[0].type.dtype);

  b.line(`let tile_m0 = (wid.y * ${wgY}u + lid.y) * ${tm}u;`);
  b.line(`let tile_q0 = wid.x * ${wgX * tn}u + lid.x;`);
  const rows = sharedRows(b, tm, sg, (offset) => b.let(expr(`min(tile_m0 + ${offset}, ${channelsOut - 1}u)`, 'u32'), 'm').code);
  // Each column: its input channel and tap.
  const cols = tileColumns(b, 'tile_q0', tn, wgX, columns, kernel).map(({ flat, outer, coords }) => ({ q: flat, c: outer, k: coords }));
  const acc = (i: number, j: number) => `acc_${i}_${j}`;
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) b.line(`var ${acc(i, j)}: f32 = 0.0f;`);
  b.loopDim(batch, (n) => {
    kernelLoops(b, outSpatial, (o) => {
      const gs = rows.values(rows.loadRows.map((m) => toAccumulator(dy.at([n, m, ...o]), 'f32')), 'f32');
      const xs = cols.map(({ c, k }) => {
        const tap = windowTap(b, g, o, k, inSpatial, outSpatial);
        return b.let(masked(toAccumulator(x.at([n, c, ...tap.coords]), 'f32'), tap.valid)).code;
      });
      for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) b.line(`${acc(i, j)} = fma(${gs[i]}, ${xs[j]}, ${acc(i, j)});`);
    });
  });
  const stored: string[][] = [];
  storeTileRows(b, { rows: tm, cols: tn, type: 'f32', acc }, (i, j, value) => {
    const m = `(tile_m0 + ${i})`;
    b.block(`if (${m} < ${channelsOut}u && tile_q0 + ${j * wgX}u < ${columns}u)`, () => {
      const { q, c, k } = cols[j];
      lowered.setCurrent(expr(value, 'f32'));
      stored.push([m, c, ...k]);
      const result = lowered.root.at([m, c, ...k]);
      b.line(`${outName}[${m} * ${columns}u + ${q}] = ${toStorage(result, group.outputs[0].type.dtype)};`);
    });
  });
  return { ...b.finish(group.nodes.map((nd) => nd.op).join('+'), 'tiled', [wgX, wgY, 1], grid), elementwiseInputs: epilogueInPlace(b, anchor, stored) };
}

export const TILED_CONV_GRAD_WEIGHT_TEMPLATE: KernelTemplate = {
  name: 'tiled_conv_grad_weight',
  matches: matchesTiledConvGradWeight,
  generate: (group, target, config) => generateTiledConvGradWeight(group, config.convConfig?.(group), target),
};
