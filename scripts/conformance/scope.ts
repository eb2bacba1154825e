import type { GraphProto, ModelProto } from '../../compiler/onnx/proto.js';
import { OnnxType } from '../../compiler/onnx/proto.js';
import { nonTensorKind } from '../../compiler/onnx/signature.js';

/**
 * Which backend tests are out of scope, and why. dawnflow runs dense numeric tensors; these
 * kinds of models are skipped (counted apart, each with its reason):
 *
 * - training-only ops (the ai.onnx.preview.training domain: Gradient, Adam, Adagrad, Momentum)
 * - string tensors (StringNormalizer, string casts, string inputs)
 * - sequence, map and optional values (Sequence*, Optional*, SplitToSequence, ...)
 * - complex numbers
 * - random ops (Bernoulli, RandomUniformLike, ...): the expected outputs are draws from numpy's
 *   generator, which no other implementation reproduces (onnxruntime excludes them as well)
 * - bfloat16 inputs or outputs: numpy has no bfloat16, so the test data stores raw uint16 bit
 *   patterns (and, for CastLike, tensors of other shapes) that contradict the model's own
 *   declared types; a runtime that checks its inputs, as ours does, must refuse them
 */

const SEQUENCE_OPS = new Set([
  'SequenceAt',
  'SequenceConstruct',
  'SequenceEmpty',
  'SequenceErase',
  'SequenceInsert',
  'SequenceLength',
  'SequenceMap',
  'SplitToSequence',
  'ConcatFromSequence',
  'Optional',
  'OptionalGetElement',
  'OptionalHasElement',
]);
const RANDOM_OPS = new Set(['Bernoulli', 'RandomUniform', 'RandomUniformLike', 'RandomNormal', 'RandomNormalLike', 'Multinomial']);
const STRING_OPS = new Set(['StringNormalizer', 'RegexFullMatch', 'StringConcat', 'StringSplit']);

function typeReason(code: number | null | undefined): string | undefined {
  if (code === OnnxType.STRING) return 'string tensors are out of scope';
  if (code === OnnxType.BFLOAT16) return "bfloat16 test data is stored as uint16 bit patterns that contradict the model's declared types";
  if (code === OnnxType.COMPLEX64 || code === OnnxType.COMPLEX128) return 'complex tensors are out of scope';
  return undefined;
}

function graphReason(graph: GraphProto): string | undefined {
  for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    const kind = nonTensorKind(v.type);
    if (kind) return `${kind} values are out of scope`;
    const r = typeReason(v.type?.tensorType?.elemType);
    if (r) return r;
  }
  for (const t of graph.initializer ?? []) {
    const r = typeReason(t.dataType);
    if (r) return r;
  }
  for (const node of graph.node ?? []) {
    if (node.domain === 'ai.onnx.preview.training') return `training-only op ${node.opType} (ai.onnx.preview.training) is out of scope`;
    if (SEQUENCE_OPS.has(node.opType ?? '')) return `sequence/optional op ${node.opType} is out of scope`;
    if (STRING_OPS.has(node.opType ?? '')) return `string op ${node.opType} is out of scope`;
    if (RANDOM_OPS.has(node.opType ?? '')) return `${node.opType}'s expected outputs are numpy random draws, which no other implementation reproduces`;
    for (const a of node.attribute ?? []) {
      if (node.opType === 'Cast' && a.name === 'to' && Number(a.i) === OnnxType.STRING) return 'casts to or from strings are out of scope';
      const r = typeReason(a.t?.dataType);
      if (r) return r;
      for (const g of [a.g, ...(a.graphs ?? [])]) {
        const inner = g ? graphReason(g) : undefined;
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

/** The reason a model is out of scope, or undefined when dawnflow should run it. */
export function outOfScope(model: ModelProto): string | undefined {
  return graphReason(model.graph!);
}
