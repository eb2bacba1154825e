import type { Dim } from '../ir/dim_expr.js';
import { dimSymbols, evaluateDim, isSymbolName, solveDim } from '../ir/dim_expr.js';
import { InputError, ShapeError } from '../ir/errors.js';
import type { Plan } from '../ir/plan.js';
import { checkDimFact } from '../ir/plan_binding.js';
import { formatShape, shapeNumel } from '../ir/shape.js';
import { isHostTensorLike, namedInputs } from './host_data.js';

/**
 * Binds a symbolic plan's dims from the inputs of a run: each input's shape is unified with the
 * shape the plan declares for it. A plain symbol takes the size it meets (and must meet the same
 * size everywhere); an expression is solved for its one unknown symbol when it is affine in it
 * (a past cache of T+1 rows binds T) and checked once its symbols are known. A bare typed array
 * binds through its length when its element count has one unknown. Every symbol is then held to
 * its declared facts. Failures are InputErrors naming the dim and the inputs it came from.
 */

interface Source {
  readonly input: string;
  readonly axis: number;
}

function describe(s: Source): string {
  return s.axis < 0 ? `input '${s.input}' (its length)` : `input '${s.input}' dim ${s.axis}`;
}

export function bindInputDims(plan: Plan, inputs: unknown): Map<string, number> {
  const where = `plan '${plan.name}'`;
  const given = namedInputs(plan, inputs);
  const dims = new Map<string, number>();
  const from = new Map<string, Source>();
  const deferred: { d: Dim; size: number; source: Source }[] = [];

  const bind = (name: string, size: number, source: Source) => {
    const prior = dims.get(name);
    if (prior === undefined) {
      dims.set(name, size);
      from.set(name, source);
    } else if (prior !== size) {
      throw new InputError(`${where}: dim '${name}' is ${size} in ${describe(source)} but ${prior} in ${describe(from.get(name)!)}`);
    }
  };

  for (const io of plan.inputs) {
    const declared = plan.tensors[io.tensor].shape;
    if (declared.every((d) => typeof d === 'number')) continue;
    const value = given[io.name];
    // Host tensors and device tensors (runtime/device_tensor.ts) both carry their shape.
    const shaped = isHostTensorLike(value) || (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && 'shape' in value);
    if (shaped && Array.isArray(value.shape)) {
      const shape = value.shape as unknown[];
      if (shape.length !== declared.length) {
        throw new InputError(`${where}, input '${io.name}': expected rank ${declared.length} ${formatShape(declared)}, got shape [${shape.join(',')}]`);
      }
      declared.forEach((d, axis) => {
        const size = shape[axis];
        const source = { input: io.name, axis };
        if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
          throw new InputError(`${where}, ${describe(source)}: size ${String(size)} is not a whole number ≥ 0 (declared '${d}')`);
        }
        if (typeof d === 'number') return;
        if (isSymbolName(d)) checkedBind(d, size, source);
        else deferred.push({ d, size, source });
      });
    } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      deferred.push({ d: shapeNumel(declared), size: (value as unknown as { length: number }).length, source: { input: io.name, axis: -1 } });
    }
    // Anything else is reported by the input check that follows binding.
  }

  // Sizes from symbols themselves: zero or negative is a typed error before anything is derived from it.
  function checkedBind(name: string, size: number, source: Source): void {
    if (size < 1) throw new InputError(`${where}, ${describe(source)}: dim '${name}' = ${size}, but a symbolic dim must be ≥ 1 (empty tensors need a plan compiled with a static size)`);
    bind(name, size, source);
  }

  // Expressions: solve those with one unknown until nothing changes, then check the rest.
  let progress = true;
  while (progress) {
    progress = false;
    for (const item of deferred) {
      const solved = solveDim(item.d, item.size, dims);
      if (solved) {
        checkedBind(solved.symbol, solved.size, item.source);
        progress = true;
      }
    }
  }
  for (const { d, size, source } of deferred) {
    const unbound = dimSymbols(d).filter((s) => !dims.has(s));
    if (unbound.length > 0) {
      if (source.axis < 0) {
        throw new InputError(`${where}, input '${source.input}': a bare array of ${size} elements cannot bind ${unbound.map((s) => `'${s}'`).join(', ')} (declared ${formatShape(plan.tensors[plan.inputs.find((io) => io.name === source.input)!.tensor].shape)}); pass a HostTensor with its shape`);
      }
      continue; // Reported below if no other input binds it.
    }
    const expected = evaluateDim(d, dims);
    if (expected !== size) {
      const of = dimSymbols(d).map((s) => `${s}=${dims.get(s)} from ${describe(from.get(s)!)}`).join(', ');
      throw new InputError(`${where}, ${describe(source)}: size ${size}, but it is declared '${d}' = ${expected} (${of})`);
    }
  }

  const symbols = plan.symbolic?.dims ?? {};
  for (const name of Object.keys(symbols)) {
    if (!dims.has(name)) {
      throw new InputError(`${where}: no input binds the symbolic dim '${name}' (inputs: ${plan.inputs.map((io) => `${io.name} ${formatShape(plan.tensors[io.tensor].shape)}`).join(', ')})`);
    }
    try {
      checkDimFact(name, dims.get(name)!, symbols[name], ` (from ${describe(from.get(name)!)})`);
    } catch (e) {
      if (e instanceof ShapeError) throw new InputError(`${where}: ${e.message}`, { cause: e });
      throw e;
    }
  }
  return dims;
}
