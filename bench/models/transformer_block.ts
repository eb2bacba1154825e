import { normalArray } from '../seeded_random.js';
import { OnnxModelBuilder } from './onnx_builder.js';

/**
 * A pre-LayerNorm transformer decoder block, batch 1, as an ONNX model (opset 17):
 *   h = x + Wo·attention(LN1(x))   (causal mask, `heads` heads)
 *   y = h + W2·GELU(W1·LN2(h) + b1) + b2
 * GELU is written with Erf (exact GELU; the Gelu op needs opset 20, which not every peer has).
 */

export interface TransformerShape {
  readonly seq: number;
  readonly dModel: number;
  readonly heads: number;
  /** Hidden width of the MLP (usually 4·dModel). */
  readonly ffn: number;
}

export function transformerFlops(s: TransformerShape): number {
  const projections = 4 * 2 * s.seq * s.dModel * s.dModel;
  const attention = 2 * 2 * s.seq * s.seq * s.dModel;
  const mlp = 2 * 2 * s.seq * s.dModel * s.ffn;
  return projections + attention + mlp;
}

/** The seeded weights and the two layers (linear, LayerNorm over `d`) of a block named `name`. */
function blockLayers(m: OnnxModelBuilder, name: string, d: number) {
  const w = (id: string, dims: readonly number[], std: number): string =>
    m.weight(id, dims, normalArray(`${name}/${id}`, dims.reduce((a, b) => a * b, 1), std));
  const gain = (id: string, n: number): string => {
    const values = normalArray(`${name}/${id}`, n, 0.1);
    for (let i = 0; i < n; i++) values[i] += 1;
    return m.weight(id, [n], values);
  };
  const linear = (x: string, id: string, inDim: number, outDim: number): string =>
    m.op('Add', [m.op('MatMul', [x, w(`${id}.w`, [inDim, outDim], 1 / Math.sqrt(inDim))]), w(`${id}.b`, [outDim], 0.02)]);
  const layerNorm = (x: string, id: string): string => m.op('LayerNormalization', [x, gain(`${id}.gamma`, d), w(`${id}.beta`, [d], 0.1)], { axis: -1, epsilon: 1e-5 });
  return { w, linear, layerNorm };
}

/**
 * The block named `name` (its seeded weights) over x = [1, S, d], given its head reshapes and
 * causal mask: attention (`mask` is called where the scores take it, which keeps the node and
 * weight order of the model file), the residual, then the GELU MLP and its residual, into the
 * output 'y'. `oneName` names GELU's constant 1 where the model already has a 'one'.
 */
export function blockBody(
  m: OnnxModelBuilder,
  name: string,
  s: Omit<TransformerShape, 'seq'>,
  io: { readonly x: string; readonly splitShape: string; readonly mergeShape: string; readonly mask: () => string; readonly oneName?: string },
): string {
  const { dModel: d, heads, ffn } = s;
  const { linear, layerNorm } = blockLayers(m, name, d);
  const { x, splitShape, mergeShape } = io;
  const toHeads = (t: string): string => m.op('Transpose', [m.op('Reshape', [t, splitShape])], { perm: [0, 2, 1, 3] });

  const a = layerNorm(x, 'ln1');
  const q = toHeads(linear(a, 'q', d, d));
  const k = m.op('Transpose', [m.op('Reshape', [linear(a, 'k', d, d), splitShape])], { perm: [0, 2, 3, 1] });
  const v = toHeads(linear(a, 'v', d, d));
  const scores = m.op('Add', [m.op('Mul', [m.op('MatMul', [q, k]), m.scalar('scale', 1 / Math.sqrt(d / heads))]), io.mask()]);
  const context = m.op('MatMul', [m.op('Softmax', [scores], { axis: -1 }), v]);
  const merged = m.op('Reshape', [m.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergeShape]);
  const h = m.op('Add', [x, linear(merged, 'o', d, d)]);

  const u = linear(layerNorm(h, 'ln2'), 'fc1', d, ffn);
  const erf = m.op('Erf', [m.op('Mul', [u, m.scalar('inv_sqrt2', Math.SQRT1_2)])]);
  const gelu = m.op('Mul', [m.op('Mul', [u, m.scalar('half', 0.5)]), m.op('Add', [erf, m.scalar(io.oneName ?? 'one', 1)])]);
  return m.node('Add', [h, linear(gelu, 'fc2', ffn, d)], {}, ['y'])[0];
}

export function transformerModel(name: string, s: TransformerShape): Uint8Array {
  const m = new OnnxModelBuilder(name);
  const { seq, dModel: d, heads } = s;
  const x = m.input('x', [1, seq, d]);
  const y = blockBody(m, name, s, {
    x,
    splitShape: m.ints('split_heads_shape', [1, seq, heads, d / heads]),
    mergeShape: m.ints('merge_heads_shape', [1, seq, d]),
    mask: () => {
      const mask = new Float32Array(seq * seq);
      for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) mask[i * seq + j] = -1e9;
      return m.weight('causal_mask', [seq, seq], mask);
    },
  });
  m.output(y, [1, seq, d]);
  return m.encode();
}
