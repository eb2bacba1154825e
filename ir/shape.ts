import type { Dim, DimBindings } from './dim_expr.js';
import { canonicalDim, dimProduct, evaluateDim, subDims } from './dim_expr.js';
import { ShapeError } from './errors.js';

export type { Dim } from './dim_expr.js';
export type Shape = readonly Dim[];
export type StaticShape = readonly number[];

export function isStaticShape(shape: Shape): shape is StaticShape {
  return shape.every((d) => typeof d === 'number');
}

/** The element count of a shape: a number when static, else an expression of its dims. */
export function shapeNumel(shape: Shape): Dim {
  return dimProduct(shape);
}

/** Whether two dims can be equal for some binding of their symbols (false only when provably different). */
export function dimsMayBeEqual(a: Dim, b: Dim): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return false;
  return typeof subDims(canonicalDim(a), canonicalDim(b)) !== 'number';
}

/** A shape's sizes, or a ShapeError naming `what` when a dim is symbolic. */
export function staticShape(shape: Shape, what: string): StaticShape {
  if (!isStaticShape(shape)) throw new ShapeError(`${what}: shape ${formatShape(shape)} must be static here`);
  return shape;
}

export function numel(shape: StaticShape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a static shape. */
export function stridesOf(shape: StaticShape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Numpy broadcasting of any number of shapes; `where` names the op for the error. */
export function broadcastShapes(shapes: readonly Shape[], where = 'broadcast'): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1 || d === dim) continue;
      if (dim === 1) dim = d;
      else if (typeof d === 'string' || typeof dim === 'string') {
        // A symbolic dim against a size: the size wins (it must equal it at run time).
        dim = typeof dim === 'number' ? dim : d;
      } else {
        throw new ShapeError(`${where}: shapes ${shapes.map(formatShape).join(' and ')} do not broadcast (dim ${i}: ${dim} vs ${d})`);
      }
    }
    out.push(dim);
  }
  return out;
}

/** Normalizes a possibly negative axis against a rank. */
export function normalizeAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new ShapeError(`${where}: axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** Binds symbolic dims to sizes (expressions evaluated); a ShapeError naming the symbol when one is unbound. */
export function bindShape(shape: Shape, dims: DimBindings, where: string): number[] {
  return shape.map((d) => evaluateDim(d, dims, where));
}
