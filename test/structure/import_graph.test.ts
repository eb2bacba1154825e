import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ImportEdge } from './import_graph.js';
import { importCycles, moduleReferences, readImportGraph, shortestLoop } from './import_graph.js';

/**
 * The import graph of the product code (every .ts outside test/) has no circles, and every
 * import follows the layering (docs/ARCHITECTURE.md, "Layers"):
 *
 *   ir/        imports nothing of the project
 *   targets/   imports ir/
 *   compiler/  imports ir/, targets/
 *   runtime/   imports ir/ only (artifacts run without the compiler)
 *   toolchain/ (compiler and runtime together) imports the four, and only bin/ and index.ts
 *              import it
 *   anything else (bin/, index.ts, bench/, examples/, scripts/...) is on top and may import
 *   anything; nothing below may import it.
 *
 * Type-only imports count as much as others: they vanish at run time, but a circle of types
 * still tangles the order in which the files can be read and changed.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type Layer = 'ir' | 'targets' | 'compiler' | 'runtime' | 'toolchain' | 'top';

const LAYER_FOLDERS: readonly Layer[] = ['ir', 'targets', 'compiler', 'runtime', 'toolchain'];

const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  ir: ['ir'],
  targets: ['ir', 'targets'],
  compiler: ['ir', 'targets', 'compiler'],
  runtime: ['ir', 'runtime'],
  toolchain: ['ir', 'targets', 'compiler', 'runtime', 'toolchain'],
  top: ['ir', 'targets', 'compiler', 'runtime', 'toolchain', 'top'],
};

/** The top files that may import toolchain/ (the CLI and the package root). */
const TOOLCHAIN_USERS = (file: string): boolean => file.startsWith('bin/') || file === 'index.ts';

function layerOf(file: string): Layer {
  const first = file.split('/')[0];
  return LAYER_FOLDERS.find((layer) => layer === first) ?? 'top';
}

function allowed(e: ImportEdge): boolean {
  const from = layerOf(e.from);
  const to = layerOf(e.to);
  if (!MAY_IMPORT[from].includes(to)) return false;
  return to !== 'toolchain' || from === 'toolchain' || TOOLCHAIN_USERS(e.from);
}

function layeringViolations(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((e) => !allowed(e))
    .map((e) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}: ${e.from.split('/')[0]} may not import ${layerOf(e.to) === 'top' ? e.to : `${layerOf(e.to)}/`}`)
    .sort();
}

/** Everything at the repository root but tests, dependencies and build output. */
function productEntries(): string[] {
  const skipped = new Set(['test', 'node_modules', 'dist', 'docs', '.git']);
  return readdirSync(ROOT).filter((name) => !skipped.has(name) && !name.startsWith('.'));
}

describe('the import graph', () => {
  const graph = readImportGraph(ROOT, productEntries());

  it('reads the whole product code', () => {
    // A reader that found nothing would pass every check below.
    expect(graph.files.length).toBeGreaterThan(200);
    expect(graph.files).toContain('index.ts');
    for (const layer of ['ir/', 'targets/', 'compiler/', 'runtime/', 'bin/']) expect(graph.files.some((f) => f.startsWith(layer)), layer).toBe(true);
    expect(graph.edges.length).toBeGreaterThan(500);
    expect(graph.edges.some((e) => e.typeOnly)).toBe(true);
  });

  it('has no circles', () => {
    const circles = importCycles(graph).map((cycle) => `${shortestLoop(graph, cycle).join(' -> ')} (${cycle.length} files in the circle)`);
    expect(circles).toEqual([]);
  });

  it('follows the layering', () => {
    expect(layeringViolations(graph.edges)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });

  it('finds every circle, and only circles', () => {
    const edges = [
      edge('a.ts', 'b.ts'),
      edge('b.ts', 'c.ts', true),
      edge('c.ts', 'a.ts'),
      edge('c.ts', 'd.ts'),
      edge('d.ts', 'e.ts'),
      edge('e.ts', 'd.ts', true),
      edge('e.ts', 'f.ts'),
      edge('g.ts', 'f.ts'),
    ];
    expect(importCycles({ edges })).toEqual([
      ['a.ts', 'b.ts', 'c.ts'],
      ['d.ts', 'e.ts'],
    ]);
    expect(shortestLoop({ edges }, ['a.ts', 'b.ts', 'c.ts'])).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
    expect(shortestLoop({ edges: [...edges, edge('b.ts', 'a.ts')] }, ['a.ts', 'b.ts', 'c.ts'])).toEqual(['a.ts', 'b.ts', 'a.ts']);
    expect(importCycles({ edges: edges.filter((e) => e.from !== 'c.ts' || e.to !== 'a.ts').filter((e) => e.from !== 'e.ts' || e.to !== 'd.ts') })).toEqual([]);
  });

  it('walks a long chain without overflowing the stack', () => {
    const edges = Array.from({ length: 20_000 }, (_, i) => edge(`f${i}.ts`, `f${i + 1}.ts`));
    expect(importCycles({ edges })).toEqual([]);
    expect(importCycles({ edges: [...edges, edge('f20000.ts', 'f0.ts')] })[0]).toHaveLength(20_001);
  });

  it('flags imports against the layering, type-only ones included', () => {
    expect(
      layeringViolations([
        edge('ir/graph.ts', 'targets/wgsl/codegen.ts', true),
        edge('targets/wgsl/codegen.ts', 'compiler/compile.ts'),
        edge('runtime/executable.ts', 'targets/reference/interpreter.ts'),
        edge('compiler/compile.ts', 'runtime/device.ts'),
        edge('compiler/compile.ts', 'index.ts'),
        edge('compiler/compile.ts', 'targets/wgsl/codegen.ts'),
        edge('bin/dawnflow.ts', 'compiler/compile.ts'),
        edge('bin/commands/run.ts', 'toolchain/device_tuning.ts'),
        edge('index.ts', 'toolchain/device_tuning.ts'),
        edge('toolchain/device_tuning.ts', 'runtime/device.ts'),
        edge('toolchain/device_tuning.ts', 'compiler/compile.ts'),
        edge('bench/run.ts', 'toolchain/device_tuning.ts'),
        edge('compiler/tune/autotune.ts', 'toolchain/device_tuning.ts'),
        edge('toolchain/device_tuning.ts', 'bin/cli.ts'),
        edge('examples/mnist.ts', 'runtime/device.ts'),
      ]).map((v) => v.split(':')[0]),
    ).toEqual([
      'bench/run.ts -> toolchain/device_tuning.ts',
      'compiler/compile.ts -> index.ts',
      'compiler/compile.ts -> runtime/device.ts',
      'compiler/tune/autotune.ts -> toolchain/device_tuning.ts',
      'ir/graph.ts -> targets/wgsl/codegen.ts (type)',
      'runtime/executable.ts -> targets/reference/interpreter.ts',
      'targets/wgsl/codegen.ts -> compiler/compile.ts',
      'toolchain/device_tuning.ts -> bin/cli.ts',
    ]);
  });

  it('reads every form of import, and which are type-only', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, f } from './e.js';",
      "import './side_effect.js';",
      "export { g } from './g.js';",
      "export type { H } from './h.js';",
      "export * from './star.js';",
      "const m = await import('./dynamic.js');",
      "let t: import('./type_query.js').T;",
      "import fs from 'node:fs';",
    ].join('\n');
    expect(moduleReferences('x.ts', source)).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: './b.js', typeOnly: true },
      { specifier: './c.js', typeOnly: true },
      { specifier: './e.js', typeOnly: false },
      { specifier: './side_effect.js', typeOnly: false },
      { specifier: './g.js', typeOnly: false },
      { specifier: './h.js', typeOnly: true },
      { specifier: './star.js', typeOnly: false },
      { specifier: './dynamic.js', typeOnly: false },
      { specifier: './type_query.js', typeOnly: true },
      { specifier: 'node:fs', typeOnly: false },
    ]);
  });
});
