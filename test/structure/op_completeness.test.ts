import { describe, expect, it } from 'vitest';
import { gradientRules, NO_GRADIENT } from '../../compiler/autodiff/index.js';
import '../../compiler/autodiff/gradients.js';
import { onnxOpTable } from '../../compiler/onnx/ops/index.js';
import { opRegistry } from '../../ir/index.js';
import '../../targets/reference/interpreter.js';
import { referenceKernels } from '../../targets/reference/kernels.js';
import '../../targets/wgsl/codegen.js';
import { wgslLowerings } from '../../targets/wgsl/lowering.js';

/**
 * Every op of the IR registry is whole: a reference kernel (the oracle), a WGSL lowering, an
 * ONNX import where ONNX has an op of that meaning, and a gradient rule or a stated reason why
 * none flows (NO_GRADIENT in compiler/autodiff/registry.ts). An op added to ir/ops without its
 * other halves fails here, naming what it lacks.
 */

/** Why an IR op has no ONNX op to import from. */
interface NoOnnxOp {
  readonly none: string;
}
/** ONNX has an op of this meaning, but the importer does not map it yet: a known gap, and why. */
interface OnnxGap {
  readonly gap: string;
  readonly reason: string;
}

const GRADIENT_OP = 'a gradient op autodiff emits for training graphs; ONNX has no training ops in its default domain';

/** IR op → the ONNX op (default domain) the importer maps to it, or why there is none. */
const ONNX_COUNTERPART: Readonly<Record<string, string | NoOnnxOp | OnnxGap>> = {
  neg: 'Neg', abs: 'Abs', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal',
  rsqrt: { none: 'ONNX has no such op (models write Reciprocal(Sqrt(x))); the importer emits it for its normalizations' },
  sin: 'Sin', cos: 'Cos', tan: 'Tan', asin: 'Asin', acos: 'Acos', atan: 'Atan',
  sinh: 'Sinh', cosh: 'Cosh', asinh: 'Asinh', acosh: 'Acosh', atanh: 'Atanh', tanh: 'Tanh',
  sigmoid: 'Sigmoid', relu: 'Relu', leakyRelu: 'LeakyRelu', elu: 'Elu', selu: 'Selu', celu: 'Celu', gelu: 'Gelu',
  softplus: 'Softplus', softsign: 'Softsign', mish: 'Mish', hardSigmoid: 'HardSigmoid', hardSwish: 'HardSwish',
  thresholdedRelu: 'ThresholdedRelu', erf: 'Erf', floor: 'Floor', ceil: 'Ceil', round: 'Round', sign: 'Sign',
  not: 'Not', bitwiseNot: 'BitwiseNot', isNaN: 'IsNaN', isInf: 'IsInf',
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', max: 'Max', min: 'Min', mod: 'Mod', prelu: 'PRelu',
  atan2: { none: 'ONNX has no two-argument arctangent (exporters decompose atan2 into Atan, Div and Where)' },
  equal: 'Equal', notEqual: { none: 'ONNX writes Not(Equal(a, b))' },
  less: 'Less', lessEqual: 'LessOrEqual', greater: 'Greater', greaterEqual: 'GreaterOrEqual',
  and: 'And', or: 'Or', xor: 'Xor', bitwiseAnd: 'BitwiseAnd', bitwiseOr: 'BitwiseOr', bitwiseXor: 'BitwiseXor',
  shiftLeft: 'BitShift', shiftRight: 'BitShift',
  where: 'Where', clip: 'Clip', cast: 'Cast', identity: 'Identity',
  reduceSum: 'ReduceSum', reduceMean: 'ReduceMean', reduceMax: 'ReduceMax', reduceMin: 'ReduceMin', reduceProd: 'ReduceProd',
  argMax: 'ArgMax', argMin: 'ArgMin', softmax: 'Softmax', logSoftmax: 'LogSoftmax', cumSum: 'CumSum',
  matmul: 'MatMul',
  reshape: 'Reshape', transpose: 'Transpose', concat: 'Concat', slice: 'Slice', gather: 'Gather', expand: 'Expand',
  squeeze: 'Squeeze', unsqueeze: 'Unsqueeze', pad: 'Pad', tile: 'Tile', range: 'Range', fill: 'ConstantOfShape',
  conv: 'Conv', convTranspose: 'ConvTranspose', maxPool: 'MaxPool', avgPool: 'AveragePool', lpPool: 'LpPool',
  convGradInput: { none: GRADIENT_OP }, convGradWeight: { none: GRADIENT_OP }, maxPoolGrad: { none: GRADIENT_OP }, avgPoolGrad: { none: GRADIENT_OP },
  gatherElements: 'GatherElements', gatherND: 'GatherND', scatterElements: 'ScatterElements', scatterND: 'ScatterND',
  oneHot: 'OneHot', trilu: 'Trilu', topK: 'TopK', hardmax: 'Hardmax', resize: 'Resize', layerNorm: 'LayerNormalization',
  attention: {
    gap: 'Attention',
    reason: 'the fuseAttention pass builds it from the MatMul → Softmax → MatMul chain exporters write; ONNX Attention (opset 23) and its KV-cache inputs are not imported yet',
  },
  randomBits: { none: 'raw Philox words keyed by a tensor: ONNX random ops take a seed attribute and give floats' },
  randomUniform: {
    gap: 'RandomUniform',
    reason: 'ONNX seeds it by attribute from an unspecified generator; the IR op reads a (seed, step) key tensor, which an imported inference graph would need as a new state',
  },
};

const isGap = (c: string | NoOnnxOp | OnnxGap): c is OnnxGap => typeof c === 'object' && 'gap' in c;

describe('every op of the IR registry', () => {
  const ops = opRegistry.names();

  it('is read from a filled registry', () => {
    // An empty registry would pass every check below.
    expect(ops.length).toBeGreaterThan(100);
  });

  it('has a reference kernel', () => {
    expect(ops.filter((op) => !referenceKernels.has(op))).toEqual([]);
  });

  it('has a WGSL lowering', () => {
    expect(ops.filter((op) => !wgslLowerings.has(op))).toEqual([]);
  });

  it('has an ONNX import where ONNX has an op of that meaning, or a stated reason', () => {
    expect(ops.filter((op) => !(op in ONNX_COUNTERPART)), 'ops missing from ONNX_COUNTERPART').toEqual([]);
    const unmapped = ops.filter((op) => typeof ONNX_COUNTERPART[op] === 'string' && !onnxOpTable.has(ONNX_COUNTERPART[op] as string));
    expect(unmapped.map((op) => `${op} (ONNX ${ONNX_COUNTERPART[op] as string})`), 'ONNX ops the importer does not map').toEqual([]);
    // A gap that closed must become a plain mapping, so that the table stays true.
    const closed = ops.filter((op) => isGap(ONNX_COUNTERPART[op]) && onnxOpTable.has((ONNX_COUNTERPART[op] as OnnxGap).gap));
    expect(closed, 'known gaps the importer now maps').toEqual([]);
  });

  it('has a gradient rule or a stated reason, never both', () => {
    expect(ops.filter((op) => !gradientRules.has(op) && !Object.hasOwn(NO_GRADIENT, op)), 'ops with neither').toEqual([]);
    expect(ops.filter((op) => gradientRules.has(op) && Object.hasOwn(NO_GRADIENT, op)), 'ops with both').toEqual([]);
    expect(Object.values(NO_GRADIENT).filter((reason) => reason.trim().length < 10), 'reasons that say nothing').toEqual([]);
  });
});

describe('the registries around the IR registry', () => {
  const known = new Set(opRegistry.names());

  it('hold nothing for ops the IR does not have', () => {
    const stale = {
      'reference kernels': referenceKernels.names().filter((op) => !known.has(op)),
      'WGSL lowerings': wgslLowerings.names().filter((op) => !known.has(op)),
      'gradient rules': gradientRules.names().filter((op) => !known.has(op)),
      'NO_GRADIENT': Object.keys(NO_GRADIENT).filter((op) => !known.has(op)),
      'ONNX_COUNTERPART': Object.keys(ONNX_COUNTERPART).filter((op) => !known.has(op)),
    };
    expect(stale).toEqual({ 'reference kernels': [], 'WGSL lowerings': [], 'gradient rules': [], NO_GRADIENT: [], ONNX_COUNTERPART: [] });
  });
});
