import fc from 'fast-check';
import { onnx } from '../../../compiler/onnx/proto.js';

/**
 * Mutations of real ONNX files, as plain data (so a failing case prints as JSON and replays):
 * structural ones edit the decoded ModelProto (absurd dims, huge attribute values, cycles,
 * dangling names, swapped fields and types), byte-level ones edit the encoded bytes
 * (truncations, bit flips, insertions, deletions, duplications). Targets are picked by an index
 * taken modulo the number of candidates, so any number is a valid target.
 */

/** Sizes that break assumptions: negative, zero, 2^31 boundaries, 2^40, 2^53. */
export const ABSURD_NUMBERS: readonly number[] = [-1, -7, 0, 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 + 3, 2 ** 40, -(2 ** 40), 2 ** 53 - 1, 65_536, 1_000_003];
const ABSURD_FLOATS: readonly number[] = [NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, 0];
/** Element type codes, valid and not (ONNX has 1..16; 0 is UNDEFINED). */
const ELEM_TYPES: readonly number[] = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 99, -1];
const OP_TYPES: readonly string[] = ['Add', 'Relu', 'MatMul', 'Conv', 'Reshape', 'Loop', 'If', 'Scan', 'NoSuchOp', '', 'Identity', 'Concat', 'Gather', 'Expand', 'ConstantOfShape', 'Tile', 'Pad', 'Range', 'TopK', 'Split', 'Resize'];

export type AttributeEdit =
  | { readonly set: 'int'; readonly value: number }
  | { readonly set: 'ints'; readonly value: number; readonly count: number }
  | { readonly set: 'float'; readonly value: number }
  | { readonly set: 'string'; readonly length: number }
  | { readonly set: 'type'; readonly value: number }
  | { readonly set: 'tensorDims'; readonly value: number }
  | { readonly set: 'clear' };

export type Mutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flipBits'; readonly bits: readonly number[] }
  | { readonly kind: 'insertBytes'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'deleteBytes'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicateBytes'; readonly at: number; readonly length: number }
  | { readonly kind: 'dim'; readonly target: number; readonly value: number }
  | { readonly kind: 'attribute'; readonly target: number; readonly edit: AttributeEdit }
  | { readonly kind: 'initializerValue'; readonly target: number; readonly element: number; readonly value: number }
  | { readonly kind: 'initializerData'; readonly target: number; readonly keep: number }
  | { readonly kind: 'constantInput'; readonly target: number; readonly values: readonly number[] }
  | { readonly kind: 'rewire'; readonly node: number; readonly input: number; readonly toNode: number }
  | { readonly kind: 'dangling'; readonly node: number; readonly input: number }
  | { readonly kind: 'swapNodes'; readonly a: number; readonly b: number }
  | { readonly kind: 'swapInputsOutputs'; readonly node: number }
  | { readonly kind: 'opType'; readonly node: number; readonly opType: string }
  | { readonly kind: 'elemType'; readonly target: number; readonly value: number }
  | { readonly kind: 'opset'; readonly value: number }
  | { readonly kind: 'drop'; readonly what: 'inputs' | 'outputs' | 'initializers' | 'nodes' | 'opsets' };

export interface OnnxCase {
  /** Index into the corpus (modulo its size). */
  readonly model: number;
  readonly structural: readonly Mutation[];
  readonly bytes: readonly Mutation[];
}

const absurd = fc.oneof(fc.constantFrom(...ABSURD_NUMBERS), fc.integer({ min: -5, max: 70_000 }));
const index = fc.nat({ max: 1 << 20 });
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const attributeEdit: fc.Arbitrary<AttributeEdit> = fc.oneof(
  absurd.map((value) => ({ set: 'int' as const, value })),
  fc.record({ value: absurd, count: fc.constantFrom(0, 1, 2, 3, 4, 8, 1000) }).map((r) => ({ set: 'ints' as const, ...r })),
  fc.constantFrom(...ABSURD_FLOATS).map((value) => ({ set: 'float' as const, value })),
  fc.constantFrom(0, 1, 5, 5000).map((length) => ({ set: 'string' as const, length })),
  fc.integer({ min: -1, max: 16 }).map((value) => ({ set: 'type' as const, value })),
  absurd.map((value) => ({ set: 'tensorDims' as const, value })),
  fc.constant({ set: 'clear' as const }),
);

export const structuralMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ target: index, value: absurd }).map((r) => ({ kind: 'dim' as const, ...r })) },
  { weight: 4, arbitrary: fc.record({ target: index, edit: attributeEdit }).map((r) => ({ kind: 'attribute' as const, ...r })) },
  { weight: 3, arbitrary: fc.record({ target: index, element: index, value: absurd }).map((r) => ({ kind: 'initializerValue' as const, ...r })) },
  { weight: 2, arbitrary: fc.record({ target: index, keep: fraction }).map((r) => ({ kind: 'initializerData' as const, ...r })) },
  // Graph inputs turned into initializers with hostile values: shape-as-data ops (Range,
  // ConstantOfShape, Expand, Tile, Reshape, Pad...) then fold them at import time.
  { weight: 4, arbitrary: fc.record({ target: index, values: fc.array(absurd, { minLength: 1, maxLength: 4 }) }).map((r) => ({ kind: 'constantInput' as const, ...r })) },
  { weight: 3, arbitrary: fc.record({ node: index, input: index, toNode: index }).map((r) => ({ kind: 'rewire' as const, ...r })) },
  { weight: 2, arbitrary: fc.record({ node: index, input: index }).map((r) => ({ kind: 'dangling' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ a: index, b: index }).map((r) => ({ kind: 'swapNodes' as const, ...r })) },
  { weight: 1, arbitrary: index.map((node) => ({ kind: 'swapInputsOutputs' as const, node })) },
  { weight: 2, arbitrary: fc.record({ node: index, opType: fc.constantFrom(...OP_TYPES) }).map((r) => ({ kind: 'opType' as const, ...r })) },
  { weight: 2, arbitrary: fc.record({ target: index, value: fc.constantFrom(...ELEM_TYPES) }).map((r) => ({ kind: 'elemType' as const, ...r })) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 6, 13, 22, 99, -3, 2 ** 40).map((value) => ({ kind: 'opset' as const, value })) },
  { weight: 1, arbitrary: fc.constantFrom('inputs', 'outputs', 'initializers', 'nodes', 'opsets').map((what) => ({ kind: 'drop' as const, what })) },
);

export const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fraction.map((at) => ({ kind: 'truncate' as const, at })),
  fc.array(fraction, { minLength: 1, maxLength: 4 }).map((bits) => ({ kind: 'flipBits' as const, bits })),
  fc.record({ at: fraction, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }) }).map((r) => ({ kind: 'insertBytes' as const, ...r })),
  fc.record({ at: fraction, length: fc.integer({ min: 1, max: 64 }) }).map((r) => ({ kind: 'deleteBytes' as const, ...r })),
  fc.record({ at: fraction, length: fc.integer({ min: 1, max: 64 }) }).map((r) => ({ kind: 'duplicateBytes' as const, ...r })),
);

/**
 * Most cases get byte-level damage (cheap: most stop at decoding, which is where real-world
 * torn files stop); the rest reach the importer and the compiler with structural damage.
 */
export const onnxCase: fc.Arbitrary<OnnxCase> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ model: index, structural: fc.constant([]), bytes: fc.array(byteMutation, { minLength: 1, maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ model: index, structural: fc.array(structuralMutation, { minLength: 1, maxLength: 3 }), bytes: fc.constant([]) }) },
  { weight: 1, arbitrary: fc.record({ model: index, structural: fc.array(structuralMutation, { minLength: 1, maxLength: 2 }), bytes: fc.array(byteMutation, { maxLength: 1 }) }) },
);

type Model = onnx.ModelProto;
type Tensor = onnx.ITensorProto;

function pick<T>(list: readonly T[], i: number): T | undefined {
  return list.length === 0 ? undefined : list[i % list.length];
}

/** Every shape dimension in the model: graph inputs, outputs, value infos, initializers. */
function dimSlots(model: Model): { set: (v: number) => void }[] {
  const g = model.graph;
  if (!g) return [];
  const slots: { set: (v: number) => void }[] = [];
  for (const info of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
    for (const dim of info.type?.tensorType?.shape?.dim ?? []) {
      slots.push({
        set: (v) => {
          dim.dimValue = v;
          dim.dimParam = '';
        },
      });
    }
  }
  for (const t of allTensors(model)) {
    const dims = t.dims ?? [];
    dims.forEach((_, k) => slots.push({ set: (v) => (dims[k] = v) }));
  }
  return slots;
}

/** Initializers and the tensors in Constant nodes' attributes. */
function allTensors(model: Model): Tensor[] {
  const g = model.graph;
  if (!g) return [];
  const tensors: Tensor[] = [...(g.initializer ?? [])];
  for (const n of g.node ?? []) for (const a of n.attribute ?? []) if (a.t) tensors.push(a.t);
  return tensors;
}

function editAttribute(a: onnx.IAttributeProto, edit: AttributeEdit): void {
  switch (edit.set) {
    case 'int':
      a.i = edit.value;
      break;
    case 'ints':
      a.ints = Array.from({ length: edit.count }, () => edit.value);
      break;
    case 'float':
      a.f = edit.value;
      a.floats = (a.floats ?? []).map(() => edit.value);
      break;
    case 'string':
      a.s = new Uint8Array(edit.length).fill(0x41);
      break;
    case 'type':
      a.type = edit.value;
      break;
    case 'tensorDims':
      if (a.t) a.t.dims = [edit.value, ...(a.t.dims ?? [])];
      else a.t = { dims: [edit.value], dataType: 1 };
      break;
    case 'clear':
      a.i = 0;
      a.ints = [];
      a.f = 0;
      a.floats = [];
      a.s = new Uint8Array(0);
      a.t = null;
      a.g = null;
      break;
  }
}

function applyStructural(model: Model, m: Mutation): void {
  const g = model.graph;
  const nodes = g?.node ?? [];
  switch (m.kind) {
    case 'dim':
      pick(dimSlots(model), m.target)?.set(m.value);
      break;
    case 'attribute': {
      const attrs = nodes.flatMap((n) => n.attribute ?? []);
      const a = pick(attrs, m.target);
      if (a) editAttribute(a, m.edit);
      else if (nodes.length > 0) (nodes[m.target % nodes.length].attribute ??= []).push({ name: 'axis', type: 2, i: 2 ** 40 });
      break;
    }
    case 'initializerValue': {
      const t = pick(allTensors(model), m.target);
      if (!t) break;
      for (const field of ['int64Data', 'int32Data', 'floatData', 'doubleData', 'uint64Data'] as const) {
        const data = t[field] as number[] | null | undefined;
        if (data && data.length > 0) data[m.element % data.length] = m.value;
      }
      if (t.rawData && t.rawData.length >= 8) {
        const at = (m.element % Math.floor(t.rawData.length / 8)) * 8;
        new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength).setBigInt64(at, BigInt(Math.trunc(m.value)), true);
      }
      break;
    }
    case 'initializerData': {
      const t = pick(allTensors(model), m.target);
      if (!t) break;
      if (t.rawData) t.rawData = t.rawData.subarray(0, Math.floor(t.rawData.length * m.keep));
      for (const field of ['int64Data', 'int32Data', 'floatData', 'doubleData', 'uint64Data', 'stringData'] as const) {
        const data = t[field] as unknown[] | null | undefined;
        if (data) data.length = Math.floor(data.length * m.keep);
      }
      break;
    }
    case 'constantInput': {
      const inputs = (g?.input ?? []).filter((i) => !(g?.initializer ?? []).some((t) => t.name === i.name));
      const info = pick(inputs, m.target);
      const type = info?.type?.tensorType;
      if (!g || !info || !type) break;
      const dims = (type.shape?.dim ?? []).map((d) => Number(d.dimValue ?? 0));
      const count = dims.reduce((a, b) => a * b, 1);
      if (count > 64) break;
      const values = Array.from({ length: count }, (_, k) => m.values[k % m.values.length]);
      const tensor: Tensor = { name: info.name, dims, dataType: type.elemType ?? 1 };
      if (tensor.dataType === 7) tensor.int64Data = values;
      else if (tensor.dataType === 1) tensor.floatData = values;
      else if (tensor.dataType === 11) tensor.doubleData = values;
      else tensor.int32Data = values.map((v) => v | 0);
      (g.initializer ??= []).push(tensor);
      break;
    }
    case 'rewire': {
      // An input fed by the output of a node at or after this one: a cycle (or a use before definition).
      const node = pick(nodes, m.node);
      if (!node || !node.input?.length) break;
      const from = nodes.slice(nodes.indexOf(node));
      const source = pick(from, m.toNode);
      const output = source && pick(source.output ?? [], m.toNode);
      if (output) node.input[m.input % node.input.length] = output;
      break;
    }
    case 'dangling': {
      const node = pick(nodes, m.node);
      if (node?.input?.length) node.input[m.input % node.input.length] = `dangling_${m.input}`;
      break;
    }
    case 'swapNodes': {
      if (nodes.length < 2) break;
      const [a, b] = [m.a % nodes.length, m.b % nodes.length];
      [nodes[a], nodes[b]] = [nodes[b], nodes[a]];
      break;
    }
    case 'swapInputsOutputs': {
      const node = pick(nodes, m.node);
      if (node) [node.input, node.output] = [node.output, node.input];
      break;
    }
    case 'opType': {
      const node = pick(nodes, m.node);
      if (node) node.opType = m.opType;
      break;
    }
    case 'elemType': {
      const infos = [...(g?.input ?? []), ...(g?.output ?? [])];
      const targets: { set: (v: number) => void }[] = infos.filter((i) => i.type?.tensorType).map((i) => ({ set: (v) => (i.type!.tensorType!.elemType = v) }));
      for (const t of allTensors(model)) targets.push({ set: (v) => (t.dataType = v) });
      pick(targets, m.target)?.set(m.value);
      break;
    }
    case 'opset':
      for (const o of model.opsetImport ?? []) if (!o.domain) o.version = m.value;
      break;
    case 'drop':
      if (!g) break;
      if (m.what === 'inputs') g.input = [];
      if (m.what === 'outputs') g.output = [];
      if (m.what === 'initializers') g.initializer = [];
      if (m.what === 'nodes') g.node = [];
      if (m.what === 'opsets') model.opsetImport = [];
      break;
    default:
      break;
  }
}

function applyBytes(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = (f: number): number => Math.floor(f * bytes.length);
  switch (m.kind) {
    case 'truncate':
      return bytes.subarray(0, at(m.at));
    case 'flipBits': {
      const out = Uint8Array.from(bytes);
      for (const f of m.bits) {
        const bit = Math.floor(f * out.length * 8);
        if (out.length > 0) out[bit >> 3] ^= 1 << (bit & 7);
      }
      return out;
    }
    case 'insertBytes': {
      const i = at(m.at);
      return Uint8Array.from([...bytes.subarray(0, i), ...m.bytes, ...bytes.subarray(i)]);
    }
    case 'deleteBytes': {
      const i = at(m.at);
      return Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + m.length)]);
    }
    case 'duplicateBytes': {
      const i = at(m.at);
      return Uint8Array.from([...bytes.subarray(0, i + m.length), ...bytes.subarray(i)]);
    }
    default:
      return bytes;
  }
}

/**
 * The mutated file. Structural edits that protobufjs cannot encode (the generator's problem,
 * not the importer's) are skipped; `applied` counts the ones that took.
 */
export function mutate(original: Uint8Array, c: OnnxCase): { bytes: Uint8Array; applied: number } {
  let bytes = original;
  let applied = 0;
  if (c.structural.length > 0) {
    const model = onnx.ModelProto.decode(original);
    for (const m of c.structural) {
      try {
        applyStructural(model, m);
        applied++;
      } catch {
        // e.g. a rewire on a node without inputs: nothing to do.
      }
    }
    try {
      bytes = onnx.ModelProto.encode(model).finish();
    } catch {
      bytes = original;
      applied = 0;
    }
  }
  for (const m of c.bytes) {
    bytes = applyBytes(bytes, m);
    applied++;
  }
  return { bytes, applied };
}
