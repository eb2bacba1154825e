import type { DimFacts } from '../../../ir/index.js';
import { ceilDivDims, dimDivisibleBy, proveLessEqual, shapeNumel, subDims } from '../../../ir/index.js';
import { broadcastCoords } from '../access.js';
import { convert, expr, literal, toStorage } from '../expr.js';
import { KernelBuilder, linearIndex, unravel } from '../kernel_builder.js';
import type { GeneratedKernel, KernelGroup, KernelTemplate, TemplateTarget } from '../kernel_types.js';
import { tiledGrid } from '../grid.js';
import { scaleOf } from '../ops/attention.js';
import { epilogueInPlace, lowerAroundAnchor } from './group_lowering.js';

/**
 * Fused attention, softmax(scale · q@k + mask) @ v, one invocation per query row: the scores
 * never reach memory. The row walks the keys in blocks of KEYS with an online softmax (the
 * running max m and sum l; each block's new max rescales l and the accumulators once), so it
 * reads q's row once (kept in a private array), each key and value row once per block, and the
 * row's mask entries. The invocations of a workgroup are consecutive rows of one batch entry,
 * so k and v are read at the same address by all of them (uniform loads, no gathers).
 *
 * The blocks and the head-dim loops stay loops (opaque bounds): unrolled over D or the keys the
 * driver's shader compile would grow with the model's sizes for no gain at run time. Rows, keys
 * and batch dims may be symbolic (read through `KernelBuilder.size`); the head dims size private
 * arrays, so they must be static. Declines symbolic head dims, head dims past MAX_HEAD_DIM, key
 * sets that may be empty and grids past the device's limits: the generic lowering takes those.
 */

/**
 * An invocation's tile: query rows (each key and value read serves them all: on lavapipe a
 * uniform load is a bounds-checked branch, worth sharing) × keys per block (scores kept in
 * registers between the block's max and the accumulation).
 */
export interface AttentionTile {
  readonly rows: number;
  readonly keys: number;
}

export const DEFAULT_TILE: AttentionTile = { rows: 4, keys: 4 };
/** The private q row and accumulator row hold at most this many floats each. */
const MAX_HEAD_DIM = 256;

export function matchesAttention(group: KernelGroup, facts?: DimFacts): boolean {
  const anchor = group.anchor;
  if (!anchor || anchor.op !== 'attention' || group.outputs.length !== 1) return false;
  const out = anchor.outputs[0].type.shape;
  const root = group.outputs[0].type.shape;
  const [q, k] = anchor.inputs.map((v) => v.type.shape);
  const d = q[q.length - 1];
  const dv = out[out.length - 1];
  const keys = k[k.length - 1];
  const f32 = anchor.inputs.every((v) => v.type.dtype === 'f32') && group.outputs[0].type.dtype === 'f32';
  const headDims = typeof d === 'number' && typeof dv === 'number' && d <= MAX_HEAD_DIM && dv <= MAX_HEAD_DIM;
  return f32 && headDims && root.length === out.length && root.every((x, i) => x === out[i]) && shapeNumel(out) !== 0 && proveLessEqual(1, keys, facts);
}

export function generateAttention(group: KernelGroup, target: TemplateTarget, tile: AttentionTile = DEFAULT_TILE): GeneratedKernel | null {
  const anchor = group.anchor!;
  const outShape = anchor.outputs[0].type.shape;
  const [qShape, kShape] = anchor.inputs.map((v) => v.type.shape);
  const rank = outShape.length;
  const batchShape = outShape.slice(0, -2);
  const [rows, dv] = outShape.slice(-2);
  const d = qShape[rank - 1];
  const keys = kShape[rank - 1];
  // Head dims size the private arrays (matchesAttention: static).
  if (typeof d !== 'number' || typeof dv !== 'number') return null;
  const { rows: R, keys: KEYS } = tile;
  // Rows of a symbolic count: the widest workgroup (its spare invocations store nothing).
  const wg = typeof rows === 'number' ? Math.min(64, Math.max(8, 2 ** Math.ceil(Math.log2(Math.ceil(rows / R))))) : 64;
  const grid = tiledGrid([ceilDivDims(rows, wg * R), shapeNumel(batchShape), 1], target.maxWorkgroupsPerDimension);
  if (!grid) return null;
  const wholeBlocks = dimDivisibleBy(keys, KEYS, target.dimFacts);

  const b = new KernelBuilder(target.aliases, target.sizeUniforms);
  const lowered = lowerAroundAnchor(b, group, anchor);
  const [q, k, v, scale, mask] = lowered.anchorInputs;
  const root = group.outputs[0];
  const outName = b.bind(root.id, root.type.dtype);
  const as = [...Array(R).keys()];
  const ts = [...Array(KEYS).keys()];

  // The invocation's rows: strided by the workgroup width, clamped for reading.
  b.line(`let row0 = wid.x * ${wg * R}u + lid.x;`);
  const rowOf = (a: number) => (a === 0 ? 'row0' : `(row0 + ${a * wg}u)`);
  // Element c of row a's slice of a private array of `width` floats per row (qrow, acc).
  const slot = (a: number, width: number, c: string) => (a === 0 ? c : `${a * width}u + ${c}`);
  const rs = as.map((a) => b.let(expr(`min(${rowOf(a)}, ${b.size(subDims(rows, 1))})`, 'u32'), 'r').code);
  const batch = batchShape.length ? unravel(b, 'wid.y', batchShape) : [];
  const sc = b.let(scaleOf(scale), 'scale').code;
  const negInf = literal(-Infinity, 'f32').code;

  b.line(`var qrow: array<f32, ${R * d}>;`);
  b.loopDim(d, (c) => {
    for (const a of as) b.line(`qrow[${slot(a, d, c)}] = ${convert(q.at([...batch, rs[a], c]), 'f32').code};`);
  });
  b.line(`var acc: array<f32, ${R * dv}>;`);
  for (const a of as) b.line(`var m${a} = ${negInf};`);
  for (const a of as) b.line(`var l${a} = 0.0f;`);
  b.loopDim(ceilDivDims(keys, KEYS), (blk) => {
    const j0 = b.let(expr(`${blk} * ${KEYS}u`, 'u32'), 'j').code;
    // Keys past the end read the last one and are masked to −∞ (weight 0).
    const js = ts.map((t) => (wholeBlocks ? `${j0} + ${t}u` : b.let(expr(`min(${j0} + ${t}u, ${b.size(subDims(keys, 1))})`, 'u32'), 'jt').code));
    for (const a of as) for (const t of ts) b.line(`var s${a}_${t} = 0.0f;`);
    b.loopDim(d, (c) => {
      const qs = as.map((a) => b.let(expr(`qrow[${slot(a, d, c)}]`, 'f32'), 'qc').code);
      for (const t of ts) {
        const kt = convert(k.at([...batch, c, js[t]]), 'f32').code;
        for (const a of as) b.line(`s${a}_${t} = fma(${qs[a]}, ${kt}, s${a}_${t});`);
      }
    });
    for (const a of as) {
      for (const t of ts) {
        const masked = mask ? ` + ${convert(mask.at(broadcastCoords([...batch, rs[a], js[t]], mask.shape)), 'f32').code}` : '';
        const score = `s${a}_${t} * ${sc}${masked}`;
        b.line(`s${a}_${t} = ${wholeBlocks || t === 0 ? score : `select(${negInf}, ${score}, ${j0} + ${t}u < ${b.size(keys)})`};`);
      }
      const blockMax = ts.map((t) => `s${a}_${t}`).reduce((x, y) => `max(${x}, ${y})`);
      b.line(`let mn${a} = max(m${a}, ${blockMax});`);
      // Nothing but −∞ so far: no weight yet, nothing to rescale (and no exp(−∞ − −∞) = NaN).
      b.line(`let alive${a} = mn${a} != ${negInf};`);
      b.line(`let corr${a} = select(1.0f, exp(m${a} - mn${a}), alive${a});`);
      for (const t of ts) b.line(`let p${a}_${t} = select(0.0f, exp(s${a}_${t} - mn${a}), alive${a});`);
      b.line(`l${a} = l${a} * corr${a} + ${ts.map((t) => `p${a}_${t}`).join(' + ')};`);
      b.line(`m${a} = mn${a};`);
    }
    b.loopDim(dv, (c) => {
      const vs = ts.map((t) => convert(v.at([...batch, js[t], c]), 'f32').code);
      for (const a of as) {
        const at = slot(a, dv, c);
        b.line(`acc[${at}] = acc[${at}] * corr${a} + ${ts.map((t) => `p${a}_${t} * ${vs[t]}`).join(' + ')};`);
      }
    });
  });

  const stored: string[][] = [];
  for (const a of as) {
    b.block(`if (${rowOf(a)} < ${b.size(rows)})`, () => {
      b.loopDim(dv, (c) => {
        const coords = [...batch, rowOf(a), c];
        lowered.setCurrent(expr(`(acc[${slot(a, dv, c)}] / l${a})`, 'f32'));
        stored.push(coords);
        b.line(`${outName}[${linearIndex(b, coords, outShape)}] = ${toStorage(lowered.root.at(coords), root.type.dtype)};`);
      });
    });
  }
  return { ...b.finish(group.nodes.map((n) => n.op).join('+'), 'tiled', [wg, 1, 1], grid), elementwiseInputs: epilogueInPlace(b, anchor, stored) };
}

export const ATTENTION_TEMPLATE: KernelTemplate = {
  name: 'attention',
  matches: matchesAttention,
  generate: (group, target) => generateAttention(group, target),
};
