import type { Dim, DType, HostTensor } from '../ir/index.js';
import { formatShape, InputError, UsageError } from '../ir/index.js';
import { npyToTensor, parseNpy } from '../runtime/io/npy.js';
import { splitAssignment } from './args.js';
import { readBytes } from './files.js';

/**
 * The CLI's one input reader: `--input <name>=<file>` options and the inputs a model (ONNX,
 * DSL module) or an artifact declares → named host tensors. `.npy` (float16/32/64 → f32;
 * int8–64 and uint8–32 → i32 with a range check; bool) or a TensorProto `.pb`. Every problem
 * is a one-line typed error naming the input and its file.
 */

/** An input as its model declares it: symbolic dims by name, `null` when even the rank is unknown. */
export interface InputSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[] | null;
}

/** `--input` options → input name → file, in the order given. */
export function inputFiles(texts: readonly string[], command: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const text of texts) {
    const [name, path] = splitAssignment(text, 'input', command, '<name>=<file>');
    if (files.has(name)) throw new UsageError(`${command}: input '${name}' given twice`);
    files.set(name, path);
  }
  return files;
}

function describe(spec: InputSpec): string {
  return spec.shape ? `${spec.dtype}${formatShape(spec.shape)}` : spec.dtype;
}

/**
 * Reads one file for each declared input. A name the model does not declare, a declared input
 * without a file, a file of the wrong element type or of a shape the declaration rules out:
 * each an InputError.
 */
export async function readInputs(specs: readonly InputSpec[], files: ReadonlyMap<string, string>): Promise<Map<string, HostTensor>> {
  for (const name of files.keys()) {
    if (!specs.some((s) => s.name === name)) {
      throw new InputError(`the model has no input '${name}' (inputs: ${specs.map((s) => s.name).join(', ') || 'none'})`);
    }
  }
  const missing = specs.filter((s) => !files.has(s.name)).map((s) => `'${s.name}' (${describe(s)})`);
  if (missing.length) throw new InputError(`missing input${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (give --input <name>=<file>)`);
  const tensors = new Map<string, HostTensor>();
  for (const spec of specs) {
    const path = files.get(spec.name)!;
    const tensor = await readInputFile(path, spec);
    checkDeclaredShape(spec, tensor.shape, path);
    tensors.set(spec.name, tensor);
  }
  return tensors;
}

async function readInputFile(path: string, spec: InputSpec): Promise<HostTensor> {
  const what = `input '${spec.name}' (${path})`;
  const bytes = readBytes(path, `input file for '${spec.name}'`);
  if (path.endsWith('.npy')) return npyToTensor(parseNpy(bytes, what), spec.dtype, what);
  if (!path.endsWith('.pb')) throw new InputError(`${what}: unknown file type (expected .npy or .pb)`);
  // The ONNX parser only when a .pb is given: running an artifact on .npy files loads no compiler code.
  const [{ decodeTensorProto }, { decodeTensor }] = await Promise.all([import('../compiler/onnx/proto.js'), import('../compiler/onnx/tensor_proto.js')]);
  const decoded = decodeTensor(decodeTensorProto(bytes, what), { what });
  if (decoded.tensor.dtype !== spec.dtype) throw new InputError(`${what}: holds ${decoded.tensor.dtype} values, the model expects ${spec.dtype}`);
  if (decoded.wide) throw new InputError(`${what}: holds int64 values that do not fit in 32 bits`);
  return decoded.tensor;
}

/** A tensor's shape against the declared one: static dims must match, symbolic dims match anything. */
function checkDeclaredShape(spec: InputSpec, shape: readonly number[], path: string): void {
  const declared = spec.shape;
  if (!declared) return;
  if (declared.length !== shape.length || declared.some((d, i) => typeof d === 'number' && d !== shape[i])) {
    throw new InputError(`input '${spec.name}' (${path}) has shape ${formatShape(shape)}, the model expects ${formatShape(declared)}`);
  }
}

/**
 * The size of each symbolic dim, read off the inputs given for it. A dim that two inputs give
 * different sizes is an InputError naming both.
 */
export function dimsOfInputs(specs: readonly InputSpec[], tensors: ReadonlyMap<string, HostTensor>): Record<string, number> {
  const dims: Record<string, number> = {};
  const boundBy: Record<string, string> = {};
  for (const spec of specs) {
    const shape = tensors.get(spec.name)?.shape;
    if (!spec.shape || !shape) continue;
    spec.shape.forEach((d, i) => {
      if (typeof d !== 'string') return;
      if (dims[d] !== undefined && dims[d] !== shape[i]) {
        throw new InputError(`input '${spec.name}' has shape ${formatShape(shape)}: dim '${d}' is ${shape[i]} here but ${dims[d]} in input '${boundBy[d]}'`);
      }
      dims[d] = shape[i];
      boundBy[d] = spec.name;
    });
  }
  return dims;
}
