import onnxProto from 'onnx-proto';
import { blockBody } from './transformer_block.js';
import { materializeLightModel } from './light_models.js';
import { OnnxModelBuilder } from './onnx_builder.js';

/**
 * The models of the 'dynamic' bench, written with dynamic dims (ONNX dim_params): one file serves
 * every size. dawnflow compiles it twice, specialized to the case's size and with the dims left
 * symbolic (peer 'dawnflow-dynamic', one plan for every size); onnxruntime runs the same file.
 */

export type DynamicModel = 'matmul' | 'squeezenet' | 'transformer';

/** c[M, n] = a[M, k] · b[k, n], M dynamic (a batch of rows). */
export function dynamicMatmulModel(k: number, n: number): Uint8Array {
  const m = new OnnxModelBuilder(`matmul_dynamic_${k}_${n}`);
  const c = m.node('MatMul', [m.input('a', ['M', k]), m.input('b', [k, n])], {}, ['c'])[0];
  m.output(c, ['M', n]);
  return m.encode();
}

/** The light squeezenet (random weights, see light_models.ts) with its image height and width dynamic. */
export function dynamicSqueezenetModel(modelsDir: string): Uint8Array {
  const onnx = onnxProto.onnx;
  const model = onnx.ModelProto.decode(materializeLightModel(modelsDir, 'squeezenet'));
  const input = model.graph!.input!.find((i) => i.name === 'data_0')!;
  const dims = input.type!.tensorType!.shape!.dim!;
  dims[2] = { dimParam: 'H' };
  dims[3] = { dimParam: 'W' };
  return onnx.ModelProto.encode(model).finish();
}

export interface DynamicTransformerShape {
  readonly dModel: number;
  readonly heads: number;
  readonly ffn: number;
}

/**
 * A pre-LayerNorm causal transformer block over [1, S, d] with S dynamic: heads split by Reshape
 * to [1, -1, heads, headDim], the causal mask made from S (ConstantOfShape of [S, S], then Trilu
 * above the diagonal), as exporters write a block for any sequence length.
 */
export function dynamicTransformerModel(name: string, s: DynamicTransformerShape): Uint8Array {
  const m = new OnnxModelBuilder(name);
  const { dModel: d, heads } = s;

  const x = m.input('x', [1, 'S', d]);
  const splitShape = m.ints('split_heads_shape', [1, -1, heads, d / heads]);
  const mergeShape = m.ints('merge_heads_shape', [1, -1, d]);

  // The mask: −1e9 strictly above the diagonal of an [S, S] made from x's own length.
  const seq = m.op('Unsqueeze', [m.op('Gather', [m.op('Shape', [x]), m.intScalar('seq_axis', 1)], { axis: 0 }), m.ints('axes0', [0])]);
  const square = m.op('ConstantOfShape', [m.op('Concat', [seq, seq], { axis: 0 })]);
  const mask = m.op('Trilu', [m.op('Add', [square, m.scalar('minus_inf', -1e9)]), m.intScalar('one', 1)], { upper: 1 });

  const y = blockBody(m, name, s, { x, splitShape, mergeShape, mask: () => mask, oneName: 'one_f' });
  m.output(y, [1, 'S', d]);
  return m.encode();
}
