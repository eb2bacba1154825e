import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { importForInputs } from '../../compiler/onnx/import_for_inputs.js';
import type { ModelProto, NodeProto } from '../../compiler/onnx/proto.js';
import { decodeModel } from '../../compiler/onnx/proto.js';
import type { DecodedTensor } from '../../compiler/onnx/tensor_proto.js';
import type { HostTensor } from '../../ir/index.js';
import { isDawnflowError, UnsupportedOpError } from '../../ir/index.js';
import type { DawnDevice } from '../../runtime/index.js';
import { Executable } from '../../runtime/index.js';
import type { ConformanceCase, DataSet } from './cases.js';
import { loadDataSets } from './cases.js';
import type { Tolerance } from './compare.js';
import { compareOutput, ONNX_TOLERANCE } from './compare.js';
import { outOfScope } from './scope.js';

/** How one backend test went. `unsupported` failed at import or codegen naming what is missing. */
export type CaseStatus = 'pass' | 'fail' | 'unsupported' | 'skip';

export interface CaseResult {
  readonly suite: string;
  readonly name: string;
  readonly status: CaseStatus;
  /** Why it did not pass (or why it is skipped). */
  readonly reason?: string;
  /** ONNX op types in the model (domain-qualified outside ai.onnx). */
  readonly ops: readonly string[];
  /** Inputs bound as constants at import because an op needed their values (e.g. Reshape's shape). */
  readonly constantInputs?: readonly string[];
  readonly ms: number;
}

function opsOf(model: ModelProto): string[] {
  const ops = new Set<string>();
  const visit = (nodes: readonly NodeProto[] | null | undefined) => {
    for (const n of nodes ?? []) {
      ops.add(n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : (n.opType ?? ''));
      for (const a of n.attribute ?? []) for (const g of [a.g, ...(a.graphs ?? [])]) if (g) visit(g.node);
    }
  };
  visit(model.graph?.node);
  return [...ops].sort();
}

function graphInputNames(model: ModelProto): string[] {
  const initialized = new Set((model.graph?.initializer ?? []).map((t) => t.name ?? ''));
  return (model.graph?.input ?? []).map((i) => i.name ?? '').filter((n) => !initialized.has(n));
}

async function runDataSet(model: ModelProto, c: ConformanceCase, set: DataSet, device: DawnDevice, tol: Tolerance): Promise<{ mismatch?: string; constants: readonly string[] }> {
  const names = graphInputNames(model);
  const data = new Map<string, DecodedTensor>();
  set.inputs.forEach((t, i) => data.set(names[i] ?? t.name, t));
  const { imported, constantInputs: constants } = importForInputs(model, data, { baseDir: c.dir });
  const inputs: Record<string, HostTensor> = {};
  for (const info of imported.inputs) {
    const t = data.get(info.name);
    if (!t) throw new UnsupportedOpError(`${set.name} gives no data for input '${info.name}'`);
    if (t.wide) throw new UnsupportedOpError(`input '${info.name}' holds int64 values beyond 32 bits`);
    inputs[info.name] = t.tensor;
  }
  const plan = compile(imported.graph, { limits: device.limits });
  const exe = await Executable.load(plan, device);
  let results: Record<string, HostTensor>;
  try {
    results = await exe.run(inputs);
  } finally {
    exe.dispose();
  }
  for (const [i, out] of imported.outputs.entries()) {
    const expected = set.outputs[i];
    if (!expected) continue;
    const mismatch = compareOutput(out.name, results[out.name], expected, tol);
    if (mismatch) return { mismatch: `${set.name}: ${mismatch}`, constants };
  }
  return { constants };
}

/** Runs one backend test on the device: import, compile, run each data set, compare. */
export async function runCase(c: ConformanceCase, device: DawnDevice, tol: Tolerance = ONNX_TOLERANCE): Promise<CaseResult> {
  const start = performance.now();
  const base = { suite: c.suite, name: c.name };
  let ops: string[] = [];
  const done = (status: CaseStatus, reason?: string, constantInputs?: string[]): CaseResult => ({
    ...base,
    status,
    ...(reason ? { reason } : {}),
    ops,
    ...(constantInputs?.length ? { constantInputs } : {}),
    ms: Math.round(performance.now() - start),
  });
  try {
    const model = decodeModel(readFileSync(join(c.dir, 'model.onnx')), c.name);
    ops = opsOf(model);
    const skip = outOfScope(model);
    if (skip) return done('skip', skip);
    const constants = new Set<string>();
    for (const set of loadDataSets(c)) {
      const r = await runDataSet(model, c, set, device, tol);
      r.constants.forEach((n) => constants.add(n));
      if (r.mismatch) return done('fail', r.mismatch, [...constants]);
    }
    return done('pass', undefined, [...constants]);
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    if (e instanceof UnsupportedOpError) return done('unsupported', message);
    return done('fail', isDawnflowError(e) ? `${e.code}: ${message}` : `${e instanceof Error ? e.name : 'error'}: ${message}`);
  }
}
