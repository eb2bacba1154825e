import { canonicalDim } from '../../ir/dim_expr.js';
import { DTYPES } from '../../ir/dtype.js';
import { ArtifactError } from '../../ir/errors.js';
import { PLAN_FORMAT, PLAN_VERSION } from '../../ir/plan.js';
import type { PlanFile } from '../../ir/artifact_format.js';
import { PLAN_FILE } from '../../ir/artifact_format.js';

/**
 * Parsing plan.json into a PlanFile, checking the shape of every field the runtime will touch.
 * The runtime's own plan checks (plan_check.ts) then judge the values: ids, offsets, bindings.
 * This layer only makes sure they will find numbers where they expect numbers, so that a
 * malformed file fails here, by field, instead of as a TypeError deep in the executor.
 */

type Json = Record<string, unknown>;

class PlanReader {
  fail(where: string, why: string): never {
    throw new ArtifactError(`${PLAN_FILE}: ${where} ${why}`);
  }
  object(v: unknown, where: string): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(where, 'is not an object');
    return v as Json;
  }
  array(v: unknown, where: string): unknown[] {
    if (!Array.isArray(v)) this.fail(where, 'is not a list');
    return v as unknown[];
  }
  string(v: unknown, where: string): string {
    if (typeof v !== 'string') this.fail(where, 'is not a string');
    return v as string;
  }
  count(v: unknown, where: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.fail(where, `is ${JSON.stringify(v)}, not a whole number >= 0`);
    return v as number;
  }
  counts(v: unknown, where: string, length?: number): number[] {
    const list = this.array(v, where);
    if (length !== undefined && list.length !== length) this.fail(where, `has ${list.length} entries, not ${length}`);
    return list.map((x, i) => this.count(x, `${where}[${i}]`));
  }
  /** A dim: a whole number, or the text of a size expression over the plan's symbols. */
  dim(v: unknown, where: string): void {
    if (typeof v === 'string') {
      try {
        canonicalDim(v);
      } catch (e) {
        this.fail(where, `is ${JSON.stringify(v)}, not a size expression (${e instanceof Error ? e.message : String(e)})`);
      }
      return;
    }
    this.count(v, where);
  }
  dims(v: unknown, where: string, length?: number): void {
    const list = this.array(v, where);
    if (length !== undefined && list.length !== length) this.fail(where, `has ${list.length} entries, not ${length}`);
    list.forEach((x, i) => this.dim(x, `${where}[${i}]`));
  }
  /** Every listed field a list of objects, each checked by `each`. */
  objects(plan: Json, field: string, each: (o: Json, where: string) => void): void {
    this.array(plan[field], field).forEach((item, i) => each(this.object(item, `${field}[${i}]`), `${field}[${i}]`));
  }
}

export function parsePlanFile(bytes: Uint8Array): PlanFile {
  const r = new PlanReader();
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new ArtifactError(`${PLAN_FILE}: not valid JSON, truncated or corrupted? (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
  const plan = r.object(raw, 'the top level');
  if (plan.format !== PLAN_FORMAT) r.fail('format', `${JSON.stringify(plan.format)} is not '${PLAN_FORMAT}'`);
  const version = r.count(plan.version, 'version');
  if (version > PLAN_VERSION) {
    r.fail('version', `${version}: plan format version ${version} is newer than this runtime reads (${PLAN_VERSION}); upgrade dawnflow or recompile`);
  }
  r.string(plan.name, 'name');

  r.objects(plan, 'tensors', (t, where) => {
    r.count(t.id, `${where}.id`);
    r.string(t.name, `${where}.name`);
    if (!(DTYPES as readonly unknown[]).includes(t.dtype)) r.fail(`${where}.dtype`, `${JSON.stringify(t.dtype)} is not one of ${DTYPES.join(', ')}`);
    r.dims(t.shape, `${where}.shape`);
    r.dim(t.bytes, `${where}.bytes`);
    r.string(t.region, `${where}.region`);
    r.count(t.offset, `${where}.offset`);
  });
  r.objects(plan, 'kernels', (k, where) => {
    r.string(k.name, `${where}.name`);
    r.string(k.source, `${where}.source`);
    r.string(k.entryPoint, `${where}.entryPoint`);
    r.counts(k.workgroupSize, `${where}.workgroupSize`, 3);
    r.count(k.bindingCount, `${where}.bindingCount`);
    if (k.sizeSlots !== undefined) r.count(k.sizeSlots, `${where}.sizeSlots`);
  });
  r.objects(plan, 'steps', (s, where) => {
    r.count(s.kernel, `${where}.kernel`);
    r.counts(s.tensors, `${where}.tensors`);
    r.dims(s.dispatch, `${where}.dispatch`, 3);
    if (s.splitGrid !== undefined && typeof s.splitGrid !== 'boolean') r.fail(`${where}.splitGrid`, 'is not true or false');
    if (s.sizes !== undefined) r.dims(s.sizes, `${where}.sizes`);
    r.string(s.label, `${where}.label`);
  });
  for (const field of ['inputs', 'outputs']) {
    r.objects(plan, field, (io, where) => {
      r.string(io.name, `${where}.name`);
      r.count(io.tensor, `${where}.tensor`);
    });
  }
  for (const field of ['constants', 'states']) {
    r.objects(plan, field, (c, where) => {
      r.count(c.tensor, `${where}.tensor`);
      if (c.weight !== undefined) r.string(c.weight, `${where}.weight`);
      else if (field === 'constants') r.fail(where, 'names no weight');
    });
  }
  r.objects(plan, 'stateUpdates', (u, where) => {
    r.count(u.state, `${where}.state`);
    r.count(u.from, `${where}.from`);
  });
  const regions = r.object(plan.regionBytes, 'regionBytes');
  for (const region of ['arena', 'constants', 'states']) r.count(regions[region], `regionBytes.${region}`);
  r.object(plan.memory, 'memory');
  const requirements = r.object(plan.requirements, 'requirements');
  r.array(requirements.features, 'requirements.features').forEach((f, i) => r.string(f, `requirements.features[${i}]`));
  const limits = r.object(requirements.limits, 'requirements.limits');
  for (const [name, value] of Object.entries(limits)) r.count(value, `requirements.limits.${name}`);
  if (plan.symbolic !== undefined) {
    const symbolic = r.object(plan.symbolic, 'symbolic');
    for (const [name, fact] of Object.entries(r.object(symbolic.dims, 'symbolic.dims'))) {
      const f = r.object(fact, `symbolic.dims.${name}`);
      for (const key of ['min', 'max', 'multipleOf']) if (f[key] !== undefined) r.count(f[key], `symbolic.dims.${name}.${key}`);
    }
    r.objects(symbolic, 'arena', (l, where) => {
      r.count(l.tensor, `symbolic.${where}.tensor`);
      r.dim(l.bytes, `symbolic.${where}.bytes`);
      for (const key of ['start', 'end']) if (typeof l[key] !== 'number' || !Number.isSafeInteger(l[key]) || (l[key] as number) < -1) r.fail(`symbolic.${where}.${key}`, 'is not a step index');
    });
    r.array(symbolic.aliases, 'symbolic.aliases').forEach((a, i) => r.counts(a, `symbolic.aliases[${i}]`, 2));
    r.count(symbolic.alignment, 'symbolic.alignment');
    if (symbolic.constraints !== undefined) {
      r.objects(symbolic, 'constraints', (c, where) => {
        r.dim(c.dim, `symbolic.${where}.dim`);
        if (typeof c.min !== 'number' || !Number.isSafeInteger(c.min)) r.fail(`symbolic.${where}.min`, 'is not a whole number');
        r.string(c.what, `symbolic.${where}.what`);
      });
    }
    for (const [name, size] of Object.entries(r.object(symbolic.representative, 'symbolic.representative'))) r.count(size, `symbolic.representative.${name}`);
  }
  if (plan.compiledFor !== undefined) r.object(plan.compiledFor, 'compiledFor');
  if (plan.outputNpyTypes !== undefined) {
    for (const [name, descr] of Object.entries(r.object(plan.outputNpyTypes, 'outputNpyTypes'))) r.string(descr, `outputNpyTypes.${name}`);
  }
  return plan as unknown as PlanFile;
}
