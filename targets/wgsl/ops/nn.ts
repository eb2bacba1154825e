import type { Attrs, Dim, DType, Shape } from '../../../ir/index.js';
import { addDims, exactDivDims, mulDims, ShapeError } from '../../../ir/index.js';
import type { WindowGeometry } from '../../../ir/ops/nn.js';
import { windowGeometry } from '../../../ir/ops/nn.js';
import { derivedAccess } from '../access.js';
import type { Expr } from '../expr.js';
import { convert, expr, literal } from '../expr.js';
import type { KernelBuilder, TensorAccess } from '../kernel_builder.js';
import type { LowerContext } from '../lowering.js';
import { registerLowering } from '../lowering.js';
import { allOf, masked, toAccumulator, windowLoops, windowReaching, windowTap } from './window.js';

/**
 * Convolutions and pools, the simple way: each output element loops over its window (or, for
 * transposed and gradient ops, over the windows that reach it). Reads are clamped into bounds
 * and masked with select, so padding costs no branches. A tiled implicit-GEMM conv is a
 * separate template; these lowerings are the always-correct fallback and fuse like any access.
 */

const f32 = (v: number) => literal(v, 'f32').code;

/** A weight's kernel extent: static in every graph dawnflow builds (a symbolic one is a ShapeError). */
function staticKernel(dims: readonly Dim[], where: string): number[] {
  if (dims.some((d) => typeof d !== 'number')) throw new ShapeError(`${where}: the kernel shape [${dims.join(',')}] must be static`);
  return dims as number[];
}

/** Channels per group: the count divided by the groups (exactly, or a ShapeError). */
function perGroup(channels: Dim, groups: number, where: string): Dim {
  const q = exactDivDims(channels, groups);
  if (q === undefined) throw new ShapeError(`${where}: ${channels} channels do not divide into ${groups} groups`);
  return q;
}

/** Accumulates into a fresh `var` and returns the final value in the output dtype. */
function accumulate(b: KernelBuilder, init: Expr, out: DType, body: (acc: string) => void): Expr {
  const acc = b.variable(init, 'acc');
  body(acc.code);
  return convert(acc, out);
}

function channelBase(b: KernelBuilder, channel: string, perGroupOut: Dim, perGroupIn: Dim, groups: number): string {
  if (groups === 1) return '0u';
  return b.let(expr(`(${channel} / ${b.size(perGroupOut)}) * ${b.size(perGroupIn)}`, 'u32'), 'cb').code;
}

function add(base: string, offset: string): string {
  return base === '0u' ? offset : `${base} + ${offset}`;
}

/** conv: y[n, m, o] = bias[m] + Σ_{c, k} x[n, g·Cg + c, o·s − pb + k·d] · w[m, c, k]. */
registerLowering('conv', ({ b, node, inputs: [x, w, bias], outputs: [out], where }) => {
  const g = windowGeometry(node.attrs, staticKernel(w.shape.slice(2), where), where);
  const groups = node.attrs.group as number;
  const inPerGroup = w.shape[1];
  const outPerGroup = perGroup(out.shape[1], groups, where);
  return [
    derivedAccess(b, out.dtype, out.shape, ([n, m, ...o]) => {
      const init = bias ? toAccumulator(bias.at([m]), out.dtype) : literal(0, 'f32');
      return accumulate(b, init, out.dtype, (acc) => {
        const base = channelBase(b, m, outPerGroup, inPerGroup, groups);
        b.loopDim(inPerGroup, (c) => {
          windowLoops(b, g.kernel, (k) => {
            const tap = windowTap(b, g, o, k, x.shape.slice(2), out.shape.slice(2));
            const product = expr(`${toAccumulator(x.at([n, add(base, c), ...tap.coords]), out.dtype).code} * ${toAccumulator(w.at([m, c, ...k]), out.dtype).code}`, 'f32');
            b.line(`${acc} += ${masked(product, tap.valid).code};`);
          });
        });
      });
    }),
  ];
});

/**
 * The transposed convolution as a gather: out[n, m, i] = bias[m] + Σ over taps k whose window
 * o reaches i (o·s − pb + k·d = i) of x[n, c, o] · w[c, m mod Mg, k], c in m's group.
 */
function gatherTransposed(b: KernelBuilder, x: TensorAccess, w: TensorAccess, bias: TensorAccess | undefined, attrs: Attrs, outShape: Shape, out: DType, where: string): TensorAccess {
  const g = windowGeometry(attrs, staticKernel(w.shape.slice(2), where), where, true);
  const groups = attrs.group as number;
  const outPerGroup = w.shape[1];
  const inPerGroup = perGroup(x.shape[1], groups, where);
  return derivedAccess(b, out, outShape, ([n, m, ...i]) => {
    const init = bias ? toAccumulator(bias.at([m]), out) : literal(0, 'f32');
    return accumulate(b, init, out, (acc) => {
      const base = channelBase(b, m, outPerGroup, inPerGroup, groups);
      const local = groups === 1 ? m : b.let(expr(`${m} % ${b.size(outPerGroup)}`, 'u32'), 'ml').code;
      b.loopDim(inPerGroup, (c) => {
        windowLoops(b, g.kernel, (k) => {
          const win = windowReaching(b, g, i, k, x.shape.slice(2));
          const channel = add(base, c);
          const product = expr(`${toAccumulator(x.at([n, channel, ...win.coords]), out).code} * ${toAccumulator(w.at([channel, local, ...k]), out).code}`, 'f32');
          b.line(`${acc} += ${masked(product, win.valid).code};`);
        });
      });
    });
  });
}

registerLowering('convTranspose', ({ b, node, inputs: [x, w, bias], outputs: [out], where }) => [
  gatherTransposed(b, x, w, bias, node.attrs, out.shape, out.dtype, where),
]);

registerLowering('convGradInput', ({ b, node, inputs: [dy, w], outputs: [out], where }) => [
  gatherTransposed(b, dy, w, undefined, node.attrs, out.shape, out.dtype, where),
]);

/** dw[m, c, k] = Σ_{n, o} dy[n, m, o] · x[n, g·Cg + c, o·s − pb + k·d]. */
registerLowering('convGradWeight', ({ b, node, inputs: [x, dy], outputs: [out], where }) => {
  const g = windowGeometry(node.attrs, staticKernel(out.shape.slice(2), where), where);
  const groups = node.attrs.group as number;
  const inPerGroup = out.shape[1];
  const outPerGroup = perGroup(out.shape[0], groups, where);
  const outSpatial = dy.shape.slice(2);
  return [
    derivedAccess(b, out.dtype, out.shape, ([m, c, ...k]) =>
      accumulate(b, literal(0, 'f32'), out.dtype, (acc) => {
        const channel = add(channelBase(b, m, outPerGroup, inPerGroup, groups), c);
        b.loopDim(x.shape[0], (n) => {
          windowLoops(b, outSpatial, (o) => {
            const tap = windowTap(b, g, o, k, x.shape.slice(2), outSpatial);
            const product = expr(`${toAccumulator(dy.at([n, m, ...o]), out.dtype).code} * ${toAccumulator(x.at([n, channel, ...tap.coords]), out.dtype).code}`, 'f32');
            b.line(`${acc} += ${masked(product, tap.valid).code};`);
          });
        });
      }),
    ),
  ];
});

function poolGeometry(ctx: LowerContext): WindowGeometry {
  return windowGeometry(ctx.node.attrs, ctx.node.attrs.kernelShape as number[], ctx.where);
}

/** The identity of max: padding and empty windows never win. */
function lowest(dtype: DType): Expr {
  if (dtype === 'i32') return literal(-2147483648, 'i32');
  if (dtype === 'u32') return literal(0, 'u32');
  return literal(-Infinity, 'f32');
}

registerLowering('maxPool', (ctx) => {
  const { b, inputs: [x], outputs: [out] } = ctx;
  const g = poolGeometry(ctx);
  return [
    derivedAccess(b, out.dtype, out.shape, ([n, c, ...o]) =>
      accumulate(b, lowest(out.dtype), out.dtype, (best) => {
        windowLoops(b, g.kernel, (k) => {
          const tap = windowTap(b, g, o, k, x.shape.slice(2), out.shape.slice(2));
          const v = toAccumulator(x.at([n, c, ...tap.coords]), out.dtype).code;
          b.line(tap.valid === null ? `${best} = max(${best}, ${v});` : `${best} = select(${best}, max(${best}, ${v}), ${tap.valid});`);
        });
      }),
    ),
  ];
});

/** Sum (of x or |x|^p) and count over each window: the shared body of avgPool and lpPool. */
function windowSum(ctx: LowerContext, term: (v: string) => string, countPads: boolean, finish: (sum: string, count: string) => string): TensorAccess {
  const { b, inputs: [x], outputs: [out] } = ctx;
  const g = poolGeometry(ctx);
  return derivedAccess(b, out.dtype, out.shape, ([n, c, ...o]) => {
    const sum = b.variable(literal(0, 'f32'), 'sum');
    const count = b.variable(literal(0, 'f32'), 'cnt');
    windowLoops(b, g.kernel, (k) => {
      const tap = windowTap(b, g, o, k, x.shape.slice(2), out.shape.slice(2));
      const v = b.let(toAccumulator(x.at([n, c, ...tap.coords]), out.dtype)).code;
      b.line(`${sum.code} += ${masked(expr(term(v), 'f32'), tap.valid).code};`);
      b.line(`${count.code} += ${masked(literal(1, 'f32'), countPads ? tap.insidePadded : tap.valid).code};`);
    });
    return convert(expr(finish(sum.code, count.code), 'f32'), out.dtype);
  });
}

registerLowering('avgPool', (ctx) => [windowSum(ctx, (v) => v, ctx.node.attrs.countIncludePad as boolean, (sum, count) => `(${sum} / ${count})`)]);

registerLowering('lpPool', (ctx) => {
  const p = ctx.node.attrs.p as number;
  const power = (v: string) => (p === 1 ? `abs(${v})` : p === 2 ? `(${v} * ${v})` : `pow(abs(${v}), ${f32(p)})`);
  // pow(0, 1/p) is undefined in WGSL: an all-zero window gives 0 explicitly.
  const root = (sum: string) => (p === 1 ? sum : p === 2 ? `sqrt(${sum})` : `select(pow(${sum}, ${f32(1 / p)}), 0.0f, ${sum} == 0.0f)`);
  return [windowSum(ctx, power, false, (sum) => root(sum))];
});

/** Row-major flat index of spatial coordinates (u32). */
function flatSpatial(b: KernelBuilder, coords: readonly string[], spatial: readonly Dim[]): string {
  let stride: Dim = 1;
  const terms: string[] = [];
  for (let a = spatial.length - 1; a >= 0; a--) {
    terms.push(stride === 1 ? coords[a] : `${coords[a]} * ${b.size(stride)}`);
    stride = mulDims(stride, spatial[a]);
  }
  return terms.join(' + ');
}

/**
 * dx[n, c, i] = Σ over windows o reaching i of dy[n, c, o] when i is o's first maximum; each
 * window's argmax is recomputed in tap order with a strict >, like the reference.
 */
registerLowering('maxPoolGrad', (ctx) => {
  const { b, inputs: [x, dy], outputs: [out] } = ctx;
  const g = poolGeometry(ctx);
  const inSpatial = x.shape.slice(2);
  const outSpatial = dy.shape.slice(2);
  return [
    derivedAccess(b, out.dtype, out.shape, ([n, c, ...i]) =>
      accumulate(b, literal(0, 'f32'), out.dtype, (acc) => {
        const self = b.let(expr(flatSpatial(b, i, inSpatial), 'u32'), 'self').code;
        windowLoops(b, g.kernel, (k) => {
          const win = windowReaching(b, g, i, k, outSpatial);
          const best = b.variable(literal(-Infinity, 'f32'), 'best');
          const bestAt = b.variable(literal(0xffffffff, 'u32'), 'arg');
          windowLoops(b, g.kernel, (k2) => {
            const tap = windowTap(b, g, win.coords, k2, inSpatial, outSpatial);
            const v = b.let(toAccumulator(x.at([n, c, ...tap.coords]), out.dtype)).code;
            const take = b.let(expr(allOf([tap.valid, `${v} > ${best.code}`])!, 'bool'), 'take').code;
            b.line(`${best.code} = select(${best.code}, ${v}, ${take});`);
            b.line(`${bestAt.code} = select(${bestAt.code}, ${flatSpatial(b, tap.coords, inSpatial)}, ${take});`);
          });
          const grad = toAccumulator(dy.at([n, c, ...win.coords]), out.dtype);
          b.line(`${acc} += ${masked(grad, allOf([win.valid, `${bestAt.code} == ${self}`])).code};`);
        });
      }),
    ),
  ];
});

/** Per-axis count of a window's taps that are inside the input (or its padded extent). */
function axisCount(b: KernelBuilder, g: WindowGeometry, axis: number, o: string, inSize: Dim, countPads: boolean): string {
  const count = b.variable(literal(0, 'f32'), 'n');
  const limit = b.sizeAs(countPads ? addDims(inSize, g.padsEnd[axis]) : inSize, 'i32').code;
  b.loopDim(g.kernel[axis], (k) => {
    const p = b.let(expr(`i32(${o} * ${g.strides[axis]}u + ${k} * ${g.dilations[axis]}u) - ${g.padsBegin[axis]}i`, 'i32'), 'p').code;
    const inside = countPads ? `${p} < ${limit}` : `${p} >= 0i && ${p} < ${limit}`;
    b.line(`${count.code} += select(0.0f, 1.0f, ${inside});`);
  });
  return count.code;
}

/** dx[n, c, i] = Σ over windows o reaching i of dy[n, c, o] / divisor(o). */
registerLowering('avgPoolGrad', (ctx) => {
  const { b, inputs: [dy], outputs: [out] } = ctx;
  const g = poolGeometry(ctx);
  const countPads = ctx.node.attrs.countIncludePad as boolean;
  const inSpatial = out.shape.slice(2);
  const outSpatial = dy.shape.slice(2);
  return [
    derivedAccess(b, out.dtype, out.shape, ([n, c, ...i]) =>
      accumulate(b, literal(0, 'f32'), out.dtype, (acc) => {
        windowLoops(b, g.kernel, (k) => {
          const win = windowReaching(b, g, i, k, outSpatial);
          // The divisor is a product: a tap is counted when every axis of it is.
          const divisor = win.coords.map((o, a) => axisCount(b, g, a, o, inSpatial[a], countPads)).join(' * ');
          const grad = toAccumulator(dy.at([n, c, ...win.coords]), out.dtype).code;
          b.line(`${acc} += ${masked(expr(`${grad} / (${divisor})`, 'f32'), win.valid).code};`);
        });
      }),
    ),
  ];
});

