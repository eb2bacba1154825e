import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import of a project file by another (paths relative to the repository root, '/'-separated). */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** `import type`, `export type ... from`, or an import whose every name is `type`. */
  readonly typeOnly: boolean;
}

export interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git']);

/** Every `.ts` file (not `.d.ts`) under the given roots (folders or single files). */
export function sourceFiles(root: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!SKIPPED_DIRS.has(name)) walk(join(path, name));
    } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
      out.push(toPosix(relative(root, path)));
    }
  };
  for (const entry of entries) if (existsSync(join(root, entry))) walk(join(root, entry));
  return out;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

interface ModuleReference {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/**
 * The module specifiers a file names: import and export-from declarations, `import x = require()`,
 * dynamic `import()` calls and `import('…').T` types. Type-only forms are marked: they vanish at
 * run time, but a circle of types still tangles the reading order, so the layering counts them.
 */
export function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const refs: ModuleReference[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: importIsTypeOnly(node.importClause) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const everyNameTyped = !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || everyNameTyped });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      refs.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      refs.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      refs.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

function importIsTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import './side_effect.js'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** The project file a relative specifier names (`./x.js` is `./x.ts` in the sources), or null for packages. */
function resolveSpecifier(root: string, from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(root, dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base];
  for (const c of candidates) {
    if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return toPosix(relative(root, c));
  }
  throw new Error(`${from}: import '${specifier}' names no file`);
}

/** Reads the project's import graph: one edge per (importer, imported file), type-only if every reference is. */
export function readImportGraph(root: string, entries: readonly string[]): ImportGraph {
  const files = sourceFiles(root, entries);
  const edges = new Map<string, ImportEdge>();
  for (const from of files) {
    for (const ref of moduleReferences(from, readFileSync(join(root, from), 'utf8'))) {
      const to = resolveSpecifier(root, from, ref.specifier);
      if (to === null || to === from) continue;
      const key = `${from}\0${to}`;
      const seen = edges.get(key);
      edges.set(key, { from, to, typeOnly: (seen?.typeOnly ?? true) && ref.typeOnly });
    }
  }
  return { files, edges: [...edges.values()] };
}

/**
 * The graph's circles: its strongly connected components of more than one file (Tarjan's
 * algorithm, iterative so a long import chain cannot overflow the stack), each sorted, the list
 * sorted by first file.
 */
export function importCycles(graph: Pick<ImportGraph, 'edges'> & { readonly files?: readonly string[] }): string[][] {
  const successors = new Map<string, string[]>();
  const nodes = new Set<string>(graph.files ?? []);
  for (const e of graph.edges) {
    nodes.add(e.from);
    nodes.add(e.to);
    const list = successors.get(e.from) ?? [];
    list.push(e.to);
    successors.set(e.from, list);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const succ = successors.get(frame.node) ?? [];
      if (frame.next < succ.length) {
        const w = succ[frame.next++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        if (component.length > 1) components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * The shortest loop of imports inside one circle (a strongly connected component), as the
 * files in import order with the first repeated at the end: what to read to see how the circle
 * closes, however many files the component has.
 */
export function shortestLoop(graph: Pick<ImportGraph, 'edges'>, cycle: readonly string[]): string[] {
  const members = new Set(cycle);
  const successors = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!members.has(e.from) || !members.has(e.to)) continue;
    successors.set(e.from, [...(successors.get(e.from) ?? []), e.to]);
  }
  let best: string[] | null = null;
  for (const start of cycle) {
    // Breadth first from `start` until an edge leads back to it.
    const parent = new Map<string, string>([[start, '']]);
    let frontier = [start];
    let closing: string | null = null;
    while (frontier.length > 0 && closing === null) {
      const next: string[] = [];
      for (const node of frontier) {
        for (const to of successors.get(node) ?? []) {
          if (to === start) {
            closing = node;
            break;
          }
          if (!parent.has(to)) {
            parent.set(to, node);
            next.push(to);
          }
        }
        if (closing !== null) break;
      }
      frontier = next;
    }
    if (closing === null) continue;
    const path = [start];
    for (let node = closing; node !== start; node = parent.get(node)!) path.splice(1, 0, node);
    path.push(start);
    if (!best || path.length < best.length) best = path;
  }
  return best ?? [];
}
