import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { emitArtifact } from '../../compiler/artifact/index.js';
import { compile } from '../../compiler/compile.js';
import { mlpGraph, trainingStepGraph } from './graphs.js';
import { tempDir } from './helpers.js';

/**
 * The generated module's types, checked by the TypeScript compiler against the runtime's real
 * declarations: the module itself must type-check, and a program using it must get errors for
 * a wrong input name, a wrong array type and a wrong state name (each `@ts-expect-error` below
 * is itself an error when nothing is wrong, so the test fails if the types are too loose).
 */

const USAGE = `
import { load, shapes } from './model.js';
const model = await load();
const out = await model.run({ x: new Float32Array(40) });
const logits: Float32Array = out.logits.data;
const rows: 5 = out.logits.shape[0];
const classes: Int32Array = out.shiftedClass.data;
const mask: Uint8Array = out.positive.data;
const width: 8 = shapes.inputs.x[1];
// @ts-expect-error: no input 'y'
await model.run({ y: new Float32Array(40) });
// @ts-expect-error: x is f32, not i32
await model.run({ x: new Int32Array(40) });
// @ts-expect-error: bool outputs are bytes
const wrong: Float32Array = out.positive.data;
// @ts-expect-error: an inference model has no states
await model.readState('w');
model.dispose();
export { logits, rows, classes, mask, width, wrong };
`;

const TRAIN_USAGE = `
import { load } from './model.js';
const model = await load({ weights: 'params.safetensors', unusedWeights: 'ignore' });
const { loss } = await model.run({ x: new Float32Array(32), y: new Float32Array(16) });
const value: Float32Array = loss.data;
await model.readState('w.velocity');
// @ts-expect-error: no state 'v'
await model.readState('v');
// @ts-expect-error: y is missing
await model.run({ x: new Float32Array(32) });
await model.exportStates('out.safetensors');
export { value };
`;

/** A model compiled with its batch symbolic: every size at run time, `number` in the types. */
const SYMBOLIC_USAGE = `
import type { Dims } from './model.js';
import { load, shapes } from './model.js';
const model = await load();
const out = await model.run({ x: new Float32Array(40) });
const rows: number = out.logits.shape[0];
const classes: 3 = out.logits.shape[1];
const dims: Dims = { batch: 7 };
const named: 'batch' = shapes.inputs.x[0];
// @ts-expect-error: the batch is not known to be 5
const five: 5 = out.logits.shape[0];
// @ts-expect-error: the model has no dim 'seq'
const wrongDims: Dims = { batch: 1, seq: 2 };
export { rows, classes, dims, named, five, wrongDims };
`;

function diagnostics(files: string[]): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [resolve('node_modules/@types')],
    paths: { 'dawnflow/runtime': [resolve('runtime/index.ts')] },
  };
  const program = ts.createProgram(files, options);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => `${d.file ? d.file.fileName.split('/').pop() : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

describe('artifact: generated types', () => {
  it('type-check against the runtime and reject wrong names, dtypes and states', async () => {
    const inference = await tempDir('types-mlp');
    await emitArtifact(compile(mlpGraph()), inference);
    await writeFile(join(inference, 'use.ts'), USAGE);
    const training = await tempDir('types-train');
    await emitArtifact(compile(trainingStepGraph()), training);
    await writeFile(join(training, 'use.ts'), TRAIN_USAGE);
    // Only the declaration file and the compiled module: what a package consumer sees.
    const declarations = await tempDir('types-dts');
    await emitArtifact(compile(mlpGraph()), declarations);
    await rm(join(declarations, 'model.ts'));
    await writeFile(join(declarations, 'use.ts'), USAGE);
    const symbolic = await tempDir('types-symbolic');
    await emitArtifact(compile(mlpGraph('batch')), symbolic);
    await writeFile(join(symbolic, 'use.ts'), SYMBOLIC_USAGE);
    // One program for all of them: loading the runtime's sources is most of the cost.
    const files = [join(inference, 'use.ts'), join(inference, 'model.ts'), join(training, 'use.ts'), join(training, 'model.ts'), join(declarations, 'use.ts'), join(symbolic, 'use.ts'), join(symbolic, 'model.ts')];
    expect(diagnostics(files)).toEqual([]);
  });
});
