import { isDawnflowError } from '../../ir/index.js';
import { importOnnxModel } from './import.js';
import { onnxHandler } from './ops/index.js';
import type { GraphProto, ModelProto } from './proto.js';
import { toInt } from './proto.js';
import type { OnnxTensorInfo } from './signature.js';
import { modelSignature } from './signature.js';

/** What `dawnflow inspect` reports about a model, without running it. */
export interface OnnxOpUse {
  readonly opType: string;
  /** '' for ai.onnx. */
  readonly domain: string;
  readonly opset: number | undefined;
  readonly count: number;
  /** The importer maps it (or it is a model-local function). */
  readonly supported: boolean;
}

export interface OnnxInspection {
  readonly irVersion: number;
  readonly producer: string;
  readonly opsets: Readonly<Record<string, number>>;
  readonly inputs: readonly OnnxTensorInfo[];
  readonly outputs: readonly OnnxTensorInfo[];
  readonly initializers: { readonly count: number; readonly elements: number };
  readonly ops: readonly OnnxOpUse[];
  /** The first problem a full import meets (code and message), if any. */
  readonly importError?: { readonly code: string; readonly message: string };
}

export function inspectOnnxModel(model: ModelProto, options: { baseDir?: string } = {}): OnnxInspection {
  const domainOf = (d: string | null | undefined) => (d === 'ai.onnx' ? '' : (d ?? ''));
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[domainOf(o.domain)] = toInt(o.version);
  const functions = new Set((model.functions ?? []).map((f) => `${domainOf(f.domain)}::${f.name}`));
  const counts = new Map<string, { opType: string; domain: string; count: number }>();
  const visit = (graph: GraphProto | null | undefined) => {
    for (const n of graph?.node ?? []) {
      const domain = domainOf(n.domain);
      const key = `${domain}::${n.opType}`;
      const entry = counts.get(key) ?? { opType: n.opType ?? '', domain, count: 0 };
      entry.count++;
      counts.set(key, entry);
      for (const a of n.attribute ?? []) for (const g of [a.g, ...(a.graphs ?? [])]) visit(g);
    }
  };
  visit(model.graph);
  for (const f of model.functions ?? []) visit({ node: f.node });
  const ops = [...counts.values()]
    .map((e) => ({ ...e, opset: opsets[e.domain], supported: functions.has(`${e.domain}::${e.opType}`) || (e.domain === '' && onnxHandler(e.opType) !== undefined) }))
    .sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType));
  const initializers = model.graph?.initializer ?? [];
  const elements = initializers.reduce((acc, t) => acc + (t.dims ?? []).reduce((p: number, d) => p * toInt(d), 1), 0);
  const { inputs, outputs } = modelSignature(model);
  let importError: OnnxInspection['importError'];
  try {
    importOnnxModel(model, options);
  } catch (e) {
    importError = isDawnflowError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
  }
  return {
    irVersion: toInt(model.irVersion),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opsets,
    inputs,
    outputs,
    initializers: { count: initializers.length, elements },
    ops,
    ...(importError ? { importError } : {}),
  };
}
