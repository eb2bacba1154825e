import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ModelProto } from '../compiler/onnx/proto.js';
import { decodeModel, decodeTensorProto } from '../compiler/onnx/proto.js';
import type { OnnxTensorInfo } from '../compiler/onnx/signature.js';
import type { DecodedTensor } from '../compiler/onnx/tensor_proto.js';
import { decodeTensor } from '../compiler/onnx/tensor_proto.js';
import { formatShape, InputError } from '../ir/index.js';
import { npyToTensor, parseNpy } from '../runtime/io/npy.js';

/** Reading the CLI's files: every problem is a one-line typed error naming the file. */

/** A file's bytes; a missing, unreadable or directory path is an InputError (empty files are the parsers' to judge). */
export function readBytes(path: string, what: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${what} '${path}' is a directory`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : (code ?? String(e))}`);
  }
  return readFileSync(path);
}

export interface ModelFile {
  readonly path: string;
  readonly baseDir: string;
  readonly model: ModelProto;
}

export function readModelFile(path: string): ModelFile {
  const bytes = readBytes(path, 'model');
  return { path, baseDir: dirname(resolve(path)), model: decodeModel(bytes, `model '${path}'`) };
}

/**
 * Reads an input tensor for a declared model input: `.npy` (float16/32/64 → f32; int8–64 and
 * uint8–32 → i32 with a range check; bool) or a TensorProto `.pb`.
 */
export function readInputFile(path: string, info: OnnxTensorInfo): DecodedTensor {
  const what = `input '${info.name}' (${path})`;
  const bytes = readBytes(path, `input file for '${info.name}'`);
  if (path.endsWith('.pb')) {
    const decoded = decodeTensor(decodeTensorProto(bytes, what), { what });
    if (decoded.tensor.dtype !== info.dtype) throw new InputError(`${what}: holds ${decoded.tensor.dtype} values, the model expects ${info.dtype}`);
    if (decoded.wide) throw new InputError(`${what}: holds int64 values that do not fit in 32 bits`);
    return decoded;
  }
  if (!path.endsWith('.npy')) throw new InputError(`${what}: unknown file type (expected .npy or .pb)`);
  const tensor = npyToTensor(parseNpy(bytes, what), info.dtype, what);
  return { name: info.name, onnxType: info.onnxType, tensor };
}

/** Checks a tensor's shape against a declared one (symbolic dims match anything). */
export function checkDeclaredShape(info: OnnxTensorInfo, shape: readonly number[], path: string): void {
  const declared = info.shape;
  if (!declared) return;
  if (declared.length !== shape.length || declared.some((d, i) => typeof d === 'number' && d !== shape[i])) {
    throw new InputError(`input '${info.name}' (${path}) has shape ${formatShape(shape)}, the model expects ${formatShape(declared)}`);
  }
}
