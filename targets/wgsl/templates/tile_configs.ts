/**
 * The tile configurations of the register-tiled templates: what the autotuner searches
 * (compiler/tune) and a tuning table stores, per template family. Each template file documents
 * how its loops use them and holds its untuned defaults.
 */

/** The scalar matmul template (tiled_matmul.ts). */
export interface TiledMatmulConfig {
  readonly wgX: number;
  readonly wgY: number;
  /** Rows (M) per invocation. */
  readonly tm: number;
  /** Columns (N) per invocation, strided by the workgroup width. */
  readonly tn: number;
  /** K iterations unrolled per loop trip. */
  readonly unrollK: number;
  /** Rows shared per subgroup read (0 or absent: every invocation reads A itself). */
  readonly sg?: number;
}

/** The wide matmul template (vec4_matmul.ts): K and N read as vec4. */
export interface Vec4MatmulConfig {
  readonly wgX: number;
  readonly wgY: number;
  /** Rows (M) per invocation. */
  readonly tm: number;
  /** vec4 columns per invocation, strided by the workgroup width. */
  readonly tn4: number;
  /** Rows shared per subgroup load (0 or absent: every invocation loads A itself). */
  readonly sg?: number;
}

/** The conv templates (tiled_conv.ts, tiled_conv_grad_weight.ts): rows are channels, columns pixels or taps. */
export interface TiledConvConfig {
  readonly wgX: number;
  readonly wgY: number;
  /** Rows (output channels) per invocation. */
  readonly tm: number;
  /** Columns per invocation, strided by the workgroup width. */
  readonly tn: number;
  /** Channels whose weights one subgroup load shares (0 or absent: every invocation loads its own). */
  readonly sg?: number;
}
