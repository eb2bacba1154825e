import type { WgslType } from '../expr.js';
import { expr } from '../expr.js';
import type { KernelBuilder } from '../kernel_builder.js';

/**
 * The store phase of a register tile as a loop over the tile's rows, its columns written out.
 * Written out in full, the epilogue (bias, activation, residual, its loads and the bounds-checked
 * store) is compiled once per element of the tile, and that is most of a tiled kernel's code:
 * lavapipe's LLVM spent 4.6 CPU s creating a 16-row matmul+bias+residual pipeline as written
 * out, 0.65 s with this loop, at the same run time (the loop runs once per invocation, after
 * the reduction). The accumulators stay registers during the reduction; they are copied into a
 * private array only here, for the loop to index.
 */
export function storeTileRows(
  b: KernelBuilder,
  /** rows × cols accumulators named by `acc`, of `type` (`width` 4: vec4s of it). */
  tile: { readonly rows: number; readonly cols: number; readonly type: WgslType; readonly width?: 1 | 4; readonly acc: (i: number, j: number) => string },
  /** Emits the store of column `j` of row `row` (a u32 expression) whose accumulator is `value`. */
  store: (row: string, j: number, value: string) => void,
): void {
  const { rows, cols, type, acc } = tile;
  const element = tile.width === 4 ? `vec4<${type}>` : type;
  if (rows === 1) {
    for (let j = 0; j < cols; j++) store('0u', j, acc(0, j));
    return;
  }
  const name = b.fresh('tile');
  b.line(`var ${name}: array<${element}, ${rows * cols}>;`);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) b.line(`${name}[${i * cols + j}] = ${acc(i, j)};`);
  b.loop(rows, (i) => {
    for (let j = 0; j < cols; j++) store(i, j, b.let(expr(cols === 1 ? `${name}[${i}]` : `${name}[${i} * ${cols}u + ${j}u]`, type), 'a').code);
  });
}
