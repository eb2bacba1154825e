import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { normalArray } from '../seeded_random.js';

/**
 * The ONNX project's "light" squeezenet and resnet50 (in bench/models/onnx) are the real
 * architectures with every weight replaced by a `ConstantOfShape` filling it with 0.02, which
 * makes the output independent of the input. For a benchmark whose outputs are checked, each such
 * weight becomes a real initializer with deterministic random values: He-normal for conv and
 * Gemm weights, BatchNorm scale and variance 1, mean 0, small random biases. One exception: a
 * BatchNorm that feeds a residual `Sum` gets scale 1/4 (the "small residual gamma" practice);
 * with 1, resnet50's 16 sums double the activations' variance each time, the logits reach the
 * hundreds and the softmax output is exactly one-hot, which would check nothing. Initializers are
 * then removed from the graph inputs (and the IR version raised to 4, which allows that), so
 * every peer sees one input and the same constant weights.
 */

const onnx = onnxProto.onnx;
type Model = onnxProto.onnx.ModelProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

export const LIGHT_MODELS = {
  squeezenet: { file: 'light_squeezenet.onnx', input: 'data_0' },
  resnet50: { file: 'light_resnet50.onnx', input: 'gpu_0/data_0' },
} as const;
export type LightModelName = keyof typeof LIGHT_MODELS;

/** Where the light models are kept in this repository (see its README for their origin and licence). */
export const LIGHT_MODELS_DIR = fileURLToPath(new URL('./onnx', import.meta.url));

export const LIGHT_INPUT_SHAPE: readonly number[] = [1, 3, 224, 224];

const BIAS_STD = 0.01;
const RESIDUAL_BN_SCALE = 0.25;

/** Reads an int64 initializer's values (ConstantOfShape's shape input). */
function int64Values(t: Tensor): number[] {
  if (t.int64Data && t.int64Data.length > 0) return t.int64Data.map((v) => Number(v));
  const raw = t.rawData;
  if (!raw || raw.length === 0) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

/** How a weight is used decides its distribution. */
function weightValues(name: string, dims: readonly number[], consumers: readonly { node: Node; slot: number }[], feedsSum: (node: Node) => boolean): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const use = consumers[0];
  if (!use) return normalArray(name, n, BIAS_STD);
  const op = use.node.opType;
  if (op === 'BatchNormalization') {
    // Inputs: X, scale, bias, mean, var. Identity statistics keep activations at their scale.
    if (use.slot === 1) return new Float32Array(n).fill(feedsSum(use.node) ? RESIDUAL_BN_SCALE : 1);
    if (use.slot === 4) return new Float32Array(n).fill(1);
    if (use.slot === 3) return new Float32Array(n);
    return normalArray(name, n, BIAS_STD);
  }
  if (op === 'Conv' && use.slot === 1) {
    const fanIn = dims.slice(1).reduce((a, b) => a * b, 1);
    return normalArray(name, n, Math.sqrt(2 / fanIn));
  }
  if (op === 'Gemm' && use.slot === 1) {
    const transB = use.node.attribute?.find((a) => a.name === 'transB')?.i;
    const fanIn = Number(transB ?? 0) ? dims[1] : dims[0];
    return normalArray(name, n, Math.sqrt(2 / fanIn));
  }
  if (op === 'MatMul' && use.slot === 1) return normalArray(name, n, Math.sqrt(2 / dims[0]));
  return normalArray(name, n, BIAS_STD);
}

/** Decodes a light model and fills its weights; returns the encoded model. */
export function materializeLightModel(modelsDir: string, name: LightModelName): Uint8Array {
  const model: Model = onnx.ModelProto.decode(readFileSync(`${modelsDir}/${LIGHT_MODELS[name].file}`));
  const graph = model.graph!;
  const initializers = new Map<string, Tensor>((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const consumers = new Map<string, { node: Node; slot: number }[]>();
  for (const node of graph.node ?? []) {
    (node.input ?? []).forEach((input, slot) => {
      const list = consumers.get(input) ?? [];
      list.push({ node, slot });
      consumers.set(input, list);
    });
  }

  const feedsSum = (node: Node): boolean => (node.output ?? []).some((o) => (consumers.get(o) ?? []).some((c) => c.node.opType === 'Sum'));
  const kept: Node[] = [];
  const shapeInputs = new Set<string>();
  for (const node of graph.node ?? []) {
    const shapeName = node.input?.[0] ?? '';
    const shape = node.opType === 'ConstantOfShape' ? initializers.get(shapeName) : undefined;
    if (!shape) {
      kept.push(node);
      continue;
    }
    const out = node.output![0];
    const dims = int64Values(shape);
    const values = weightValues(out, dims, consumers.get(out) ?? [], feedsSum);
    initializers.set(out, { name: out, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(values.buffer) });
    shapeInputs.add(shapeName);
  }
  for (const s of shapeInputs) if ((consumers.get(s) ?? []).every((c) => c.node.opType === 'ConstantOfShape')) initializers.delete(s);

  graph.node = kept;
  graph.initializer = [...initializers.values()];
  graph.input = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '') && !shapeInputs.has(i.name ?? ''));
  // IR version 3 requires every initializer to be a graph input; 4 lets them be constants.
  model.irVersion = 4;
  return onnx.ModelProto.encode(model).finish();
}
