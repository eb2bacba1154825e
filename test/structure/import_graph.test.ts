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
 *   anything else (bin/, index.ts, bench/, examples/, scripts/, a session/tools layer...) is on
 *   top and may import anything; nothing of the four layers may import it.
 *
 * Type-only imports count as much as others: they vanish at run time, but a circle of types
 * still tangles the order in which the files can be read and changed.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

type Layer = 'ir' | 'targets' | 'compiler' | 'runtime' | 'top';

const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  ir: ['ir'],
  targets: ['ir', 'targets'],
  compiler: ['ir', 'targets', 'compiler'],
  runtime: ['ir', 'runtime'],
  top: ['ir', 'targets', 'compiler', 'runtime', 'top'],
};

function layerOf(file: string): Layer {
  const first = file.split('/')[0];
  return first === 'ir' || first === 'targets' || first === 'compiler' || first === 'runtime' ? first : 'top';
}

/**
 * Edges against the layering that are being removed elsewhere. Issue 12 part 1 (the one CLI
 * layer, branch house-cli) moves compiler/artifact/cli.ts into bin/commands and
 * device_tuning.ts into a top layer; these entries go when that lands (a stale entry fails the
 * last test below, as a reminder).
 */
const ALLOWED_FOR_NOW: readonly string[] = [
  'compiler/artifact/cli.ts -> device_tuning.ts',
  'compiler/artifact/cli.ts -> runtime/artifact/index.ts',
  'compiler/artifact/cli.ts -> runtime/device.ts',
];

function edgeKey(e: Pick<ImportEdge, 'from' | 'to'>): string {
  return `${e.from} -> ${e.to}`;
}

function layeringViolations(edges: readonly ImportEdge[]): string[] {
  return edges
    .filter((e) => !MAY_IMPORT[layerOf(e.from)].includes(layerOf(e.to)))
    .map((e) => `${edgeKey(e)}${e.typeOnly ? ' (type)' : ''}: ${layerOf(e.from)}/ may not import ${layerOf(e.to) === 'top' ? e.to : `${layerOf(e.to)}/`}`)
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
    const allowed = new Set(ALLOWED_FOR_NOW);
    const violations = layeringViolations(graph.edges).filter((v) => !allowed.has(v.split(':')[0].replace(' (type)', '')));
    expect(violations).toEqual([]);
  });

  it('has no stale exceptions to the layering', () => {
    const present = new Set(graph.edges.map(edgeKey));
    expect(ALLOWED_FOR_NOW.filter((e) => !present.has(e)), 'allow-list entries whose import is gone: remove them').toEqual([]);
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
        edge('session/tuning.ts', 'runtime/device.ts'),
      ]).map((v) => v.split(':')[0]),
    ).toEqual([
      'compiler/compile.ts -> index.ts',
      'compiler/compile.ts -> runtime/device.ts',
      'ir/graph.ts -> targets/wgsl/codegen.ts (type)',
      'runtime/executable.ts -> targets/reference/interpreter.ts',
      'targets/wgsl/codegen.ts -> compiler/compile.ts',
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
