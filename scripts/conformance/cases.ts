import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecodedTensor } from '../../compiler/onnx/tensor_proto.js';
import { decodeTensor } from '../../compiler/onnx/tensor_proto.js';
import { decodeTensorProto } from '../../compiler/onnx/proto.js';

/**
 * The ONNX backend test cases shipped by Debian's libonnx-testdata: one directory per test with
 * `model.onnx` and `test_data_set_*` folders of `input_<i>.pb` / `output_<i>.pb` TensorProtos.
 */

export const TESTDATA_ROOT = process.env.ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';
export const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;
export type Suite = (typeof SUITES)[number];

export interface ConformanceCase {
  readonly suite: Suite;
  readonly name: string;
  readonly dir: string;
}

export interface DataSet {
  readonly name: string;
  /** In graph-input order; names may be empty (the runner takes the model's). */
  readonly inputs: readonly DecodedTensor[];
  readonly outputs: readonly DecodedTensor[];
}

export function testdataAvailable(): boolean {
  return existsSync(TESTDATA_ROOT);
}

export function listCases(suites: readonly Suite[] = SUITES): ConformanceCase[] {
  return suites.flatMap((suite) => {
    const dir = join(TESTDATA_ROOT, suite);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => existsSync(join(dir, name, 'model.onnx')))
      .sort()
      .map((name) => ({ suite, name, dir: join(dir, name) }));
  });
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)));
}

/** Reads every data set of a case (tensors decoded to dawnflow dtypes, int64 kept exact). */
export function loadDataSets(c: ConformanceCase): DataSet[] {
  return readdirSync(c.dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort()
    .map((name) => {
      const dir = join(c.dir, name);
      const read = (file: string) => {
        const what = `${c.name}/${name}/${file}`;
        return decodeTensor(decodeTensorProto(readFileSync(join(dir, file)), what), { what });
      };
      return { name, inputs: numbered(dir, 'input_').map(read), outputs: numbered(dir, 'output_').map(read) };
    });
}
