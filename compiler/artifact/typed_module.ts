import { Project, QuoteKind, ts, VariableDeclarationKind, type WriterFunction } from 'ts-morph';
import type { Dim, DimFact, DType } from '../../ir/index.js';
import type { PlanFile } from '../../ir/artifact_format.js';

/**
 * The artifact's typed module: `load()` resolves to a Model whose `run()` takes and returns the
 * model's own input and output names, each with the typed array of its dtype and its shape
 * (shapes in doc comments, as literal tuple types, and in the `shapes` const). It imports the
 * runtime entry only, so a service that ships the artifact never loads the compiler.
 *
 * Written with ts-morph (structures, not string templates, so quoting and layout are the
 * printer's job), then transpiled with the TypeScript compiler API: `transpileModule` for the
 * .js and `transpileDeclaration` for the .d.ts. Both work file by file, without type-checking
 * against the runtime's sources, which the module is written to allow (explicit types on every
 * export, as isolatedDeclarations requires).
 */

export interface TypedModuleSources {
  readonly ts: string;
  readonly js: string;
  readonly dts: string;
}

/** The typed array that holds each dtype on the host. */
const HOST_ARRAY: Readonly<Record<DType, string>> = { f32: 'Float32Array', f16: 'Uint16Array', i32: 'Int32Array', u32: 'Uint32Array', bool: 'Uint8Array' };

interface Signature {
  readonly name: string;
  readonly dtype: DType;
  /** Sizes, and symbolic dims (their names or expressions: any size at run time). */
  readonly shape: readonly Dim[];
}

/** A shape as a tuple type: sizes as literal types, symbolic dims as `number`. */
function tupleType(shape: readonly Dim[]): string {
  return `readonly [${shape.map((d) => (typeof d === 'number' ? String(d) : 'number')).join(', ')}]`;
}

/** A shape as a literal: symbolic dims as their names, quoted. */
function shapeLiteral(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : quote(d))).join(', ')}]`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

/** Doc comment text may not close the comment early. */
function docText(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}

function describe(s: Signature): string {
  return `${s.dtype} [${s.shape.join(', ')}]`;
}

function signatures(plan: PlanFile): { inputs: Signature[]; outputs: Signature[]; states: Signature[] } {
  const of = (name: string, tensor: number): Signature => ({ name, dtype: plan.tensors[tensor].dtype, shape: plan.tensors[tensor].shape });
  return {
    inputs: plan.inputs.map((io) => of(io.name, io.tensor)),
    outputs: plan.outputs.map((io) => of(io.name, io.tensor)),
    states: plan.states.map((s) => of(plan.tensors[s.tensor].name, s.tensor)),
  };
}

/** `{ x: [1, 784], ... }` as an object literal. */
function shapeTable(list: readonly Signature[], value: (s: Signature) => string): string {
  if (list.length === 0) return '{}';
  return `{ ${list.map((s) => `${propertyName(s.name)}: ${value(s)}`).join(', ')} }`;
}

function nameUnion(list: readonly Signature[]): string {
  return list.length === 0 ? 'never' : [...new Set(list.map((s) => quote(s.name)))].join(' | ');
}

function headerComment(plan: PlanFile, createdBy: string, sig: ReturnType<typeof signatures>): string {
  const lines = [`Model '${docText(plan.name)}', compiled ahead of time by ${createdBy}. Generated: recompile rather than edit.`, ''];
  const table = (title: string, list: readonly Signature[]): void => {
    if (list.length === 0) return;
    lines.push(`${title}:`);
    for (const s of list) lines.push(`  ${docText(s.name)}: ${describe(s)}`);
  };
  table('Inputs', sig.inputs);
  table('Outputs', sig.outputs);
  table('States', sig.states);
  return ['/**', ...lines.map((l) => (l ? ` * ${l}` : ' *')), ' */'].join('\n');
}

export function generateTypedModule(plan: PlanFile, options: { readonly runtimeImport: string; readonly createdBy: string }): TypedModuleSources {
  const sig = signatures(plan);
  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
  const file = project.createSourceFile('model.ts', '', { overwrite: true });

  file.addImportDeclaration({ moduleSpecifier: options.runtimeImport, namedImports: ['loadArtifact'] });
  file.addImportDeclaration({
    moduleSpecifier: options.runtimeImport,
    isTypeOnly: true,
    namedImports: ['HostTensor', 'LoadArtifactOptions', 'LoadedArtifact', 'RunInput'],
  });

  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['The shape of every input, output and state: sizes, and symbolic dims by name (any size at run time: see Dims).'],
    declarations: [
      {
        name: 'shapes',
        initializer: `{ inputs: ${shapeTable(sig.inputs, (s) => shapeLiteral(s.shape))}, outputs: ${shapeTable(sig.outputs, (s) => shapeLiteral(s.shape))}, states: ${shapeTable(sig.states, (s) => shapeLiteral(s.shape))} } as const`,
      },
    ],
  });
  const symbols = Object.entries(plan.symbolic?.dims ?? {});
  const factText = (f: DimFact): string => {
    const parts = [f.min !== undefined || f.max !== undefined ? `${f.min ?? 1}..${f.max ?? ''}` : '', f.multipleOf ? `multiple of ${f.multipleOf}` : ''].filter(Boolean);
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  file.addTypeAlias({
    name: 'Dims',
    isExported: true,
    docs: [
      symbols.length
        ? 'The symbolic dims: each run binds them from its inputs shapes (one plan, no recompilation per size).'
        : 'The symbolic dims: none (every size was fixed when the plan was compiled).',
    ],
    type: (w) => {
      if (symbols.length === 0) {
        w.write('Record<string, never>');
        return;
      }
      w.block(() => {
        for (const [name, fact] of symbols) {
          w.writeLine(`/** ${docText(name)}${docText(factText(fact))} */`);
          w.writeLine(`readonly ${propertyName(name)}: number;`);
        }
      });
    },
  });
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['The dtype of every input, output and state.'],
    declarations: [
      {
        name: 'dtypes',
        initializer: `{ inputs: ${shapeTable(sig.inputs, (s) => quote(s.dtype))}, outputs: ${shapeTable(sig.outputs, (s) => quote(s.dtype))}, states: ${shapeTable(sig.states, (s) => quote(s.dtype))} } as const`,
      },
    ],
  });

  file.addInterface({
    name: 'Tensor',
    isExported: true,
    docs: ['A tensor whose dtype, host array and shape are known from the model.'],
    typeParameters: [{ name: 'D', constraint: 'string' }, { name: 'A' }, { name: 'S', constraint: 'readonly number[]' }],
    properties: [
      { name: 'dtype', type: 'D', isReadonly: true },
      { name: 'shape', type: 'S', isReadonly: true },
      { name: 'data', type: 'A', isReadonly: true },
    ],
  });

  // Type aliases rather than interfaces: an alias of an object type is assignable to the
  // runtime's Record<string, RunInput>, an interface is not.
  const objectType = (list: readonly Signature[], type: (s: Signature) => string): WriterFunction => (w) => {
    if (list.length === 0) {
      w.write('Record<string, never>');
      return;
    }
    w.block(() => {
      for (const s of list) {
        w.writeLine(`/** ${docText(s.name)}: ${describe(s)} */`);
        w.writeLine(`readonly ${propertyName(s.name)}: ${type(s)};`);
      }
    });
  };
  const hostArray = (s: Signature): string => HOST_ARRAY[s.dtype];
  file.addTypeAlias({
    name: 'Inputs',
    isExported: true,
    docs: ['What run() takes: each input as its typed array (row-major) or a HostTensor.'],
    type: objectType(sig.inputs, (s) => `${hostArray(s)}${s.dtype === 'f32' ? ' | Float64Array' : ''} | HostTensor`),
  });
  file.addTypeAlias({
    name: 'Outputs',
    isExported: true,
    docs: ['What run() resolves to.'],
    type: objectType(sig.outputs, (s) => `Tensor<${quote(s.dtype)}, ${hostArray(s)}, ${tupleType(s.shape)}>`),
  });
  file.addTypeAlias({ name: 'StateName', isExported: true, docs: ['The names of the persistent states (parameters, optimizer state).'], type: nameUnion(sig.states) });
  file.addTypeAlias({ name: 'LoadOptions', isExported: true, type: 'LoadArtifactOptions' });

  file.addInterface({
    name: 'Model',
    isExported: true,
    docs: ['The loaded model: its pipelines are compiled and its weights uploaded once, by load().'],
    properties: [{ name: 'artifact', type: 'LoadedArtifact', isReadonly: true, docs: ['The untyped artifact underneath, for dispatch() and run options.'] }],
    methods: [
      { name: 'run', parameters: [{ name: 'inputs', type: 'Inputs' }], returnType: 'Promise<Outputs>', docs: ['Runs once (one training step, for a plan with state updates).'] },
      { name: 'readState', parameters: [{ name: 'name', type: 'StateName' }], returnType: 'Promise<HostTensor>' },
      { name: 'writeState', parameters: [{ name: 'name', type: 'StateName' }, { name: 'value', type: 'RunInput' }], returnType: 'void' },
      { name: 'exportStates', parameters: [{ name: 'path', type: 'string' }], returnType: 'Promise<void>', docs: ['Writes every state to a safetensors file, by weight name.'] },
      { name: 'dispose', returnType: 'void', docs: ['Frees the GPU buffers.'] },
    ],
  });

  file.addFunction({
    name: 'load',
    isExported: true,
    isAsync: true,
    docs: ["Loads the artifact from this module's directory (checksums, device requirements, weights)."],
    parameters: [{ name: 'options', type: 'LoadOptions', initializer: '{}' }],
    returnType: 'Promise<Model>',
    statements: (w) => {
      w.writeLine('const artifact = await loadArtifact(new URL(\'.\', import.meta.url), options);');
      w.writeLine('return {');
      w.indent(() => {
        w.writeLine('artifact,');
        w.writeLine('run: async (inputs: Inputs): Promise<Outputs> => (await artifact.run(inputs)) as unknown as Outputs,');
        w.writeLine('readState: (name: StateName): Promise<HostTensor> => artifact.readState(name),');
        w.writeLine('writeState: (name: StateName, value: RunInput): void => artifact.writeState(name, value),');
        w.writeLine('exportStates: (path: string): Promise<void> => artifact.exportStates(path),');
        w.writeLine('dispose: (): void => artifact.dispose(),');
      });
      w.writeLine('};');
    },
  });

  file.insertStatements(0, headerComment(plan, options.createdBy, sig));
  file.formatText({ indentSize: 2, convertTabsToSpaces: true });
  const source = file.getFullText();
  return { ts: source, ...transpile(source) };
}

function transpile(source: string): { js: string; dts: string } {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    declaration: true,
    isolatedDeclarations: true,
    verbatimModuleSyntax: false,
    removeComments: false,
  };
  const js = ts.transpileModule(source, { compilerOptions, fileName: 'model.ts', reportDiagnostics: false }).outputText;
  const declaration = ts.transpileDeclaration(source, { compilerOptions, fileName: 'model.ts', reportDiagnostics: true });
  const problems = (declaration.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (problems.length > 0) {
    // A generator bug, not a user error: the module's own exports lack explicit types.
    throw new Error(`typed module: declaration emit failed: ${ts.flattenDiagnosticMessageText(problems[0].messageText, ' ')}`);
  }
  return { js, dts: declaration.outputText };
}
