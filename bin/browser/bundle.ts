import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../ir/errors.js';

/**
 * The runtime as one browser ES module, built with esbuild from runtime/browser/index.ts. Two
 * rules make it a browser module rather than a copy of the Node one:
 * - runtime/platform/gpu.ts (Dawn through npm `webgpu`) is swapped for gpu.browser.ts
 *   (navigator.gpu), the one module that differs;
 * - every import that is not a file of the repository (a Node built-in, `webgpu`, any package)
 *   fails the build, naming the importer: the runtime must not reach one.
 * Run from the sources (tsx, vitest) the bundle is built on demand, in memory; the installed
 * package ships it prebuilt (`npm run build` writes dist/browser/dawnflow-runtime.js).
 */

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root, or dist/ when running compiled. */
const root = resolve(here, '../..');
const FROM_SOURCES = import.meta.url.endsWith('.ts');

export const BUNDLE_ENTRY = 'runtime/browser/index.ts';
export const BUNDLE_FILE = 'browser/dawnflow-runtime.js';
/** The page script of `run --browser` (page/bridge.ts), bundled apart: it imports the runtime as 'dawnflow/runtime'. */
export const BRIDGE_ENTRY = 'bin/browser/page/bridge.ts';
export const BRIDGE_FILE = 'browser/bridge.js';
/** How page scripts import the runtime bundle (an import map resolves it), as typed modules do. */
export const RUNTIME_SPECIFIER = 'dawnflow/runtime';

/** The modules the browser bundle replaces, and what by. */
const PLATFORM_SWAPS: Readonly<Record<string, string>> = {
  'runtime/platform/gpu.ts': 'runtime/platform/gpu.browser.ts',
};

export interface BundleOptions {
  /** The entry module (default the runtime's browser entry); tests bundle others through the same rules. */
  readonly entry?: string;
  /**
   * Import the runtime entry as RUNTIME_SPECIFIER rather than bundling it (page scripts); any
   * other module of runtime/ or ir/ they reach would be a second copy of the runtime: an error.
   */
  readonly runtimeExternal?: boolean;
  /** Minify (default true: what ships). Class names are kept either way: errors report them. */
  readonly minify?: boolean;
  /** Also write the bundle here. */
  readonly outfile?: string;
}

/** esbuild's types, as far as this file uses them (esbuild is a devDependency: the sources need it, dist does not). */
interface EsbuildResolveArgs {
  readonly path: string;
  readonly importer: string;
  readonly resolveDir: string;
  readonly kind: string;
}
interface EsbuildPluginBuild {
  onResolve(options: { filter: RegExp }, callback: (args: EsbuildResolveArgs) => { path?: string; external?: boolean; errors?: { text: string }[] } | undefined): void;
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}

function browserRules(sourceRoot: string, runtimeExternal: boolean) {
  return {
    name: 'dawnflow-browser',
    setup(build: EsbuildPluginBuild) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const importer = relative(sourceRoot, args.importer) || args.importer;
        if (!args.path.startsWith('.')) {
          const what = args.path.startsWith('node:') || isBuiltin(args.path) ? 'the Node built-in' : 'the package';
          return { errors: [{ text: `${importer} imports ${what} '${args.path}', which the browser runtime must not reach` }] };
        }
        const target = relative(sourceRoot, resolve(args.resolveDir, args.path)).replace(/\.js$/, '.ts');
        if (runtimeExternal && target === BUNDLE_ENTRY) return { path: RUNTIME_SPECIFIER, external: true };
        if (runtimeExternal && /^(runtime|ir)\//.test(target)) {
          return { errors: [{ text: `${importer} imports ${target}: a page script reaches the runtime only through ${BUNDLE_ENTRY} ('${RUNTIME_SPECIFIER}')` }] };
        }
        const swap = PLATFORM_SWAPS[target];
        return swap ? { path: join(sourceRoot, swap) } : undefined;
      });
    },
  };
}

/** Builds the bundle from the sources; a reach for Node fails with esbuild's error listing each import. */
export async function buildRuntimeBundle(options: BundleOptions = {}): Promise<string> {
  let esbuild: Esbuild;
  try {
    esbuild = (await import('esbuild' as string)) as Esbuild;
  } catch (cause) {
    throw new UsageError('building the browser runtime needs esbuild (a devDependency of dawnflow): run npm install in the repository', { cause });
  }
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [options.entry ?? BUNDLE_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
    outfile: options.outfile ?? 'dawnflow-runtime.js',
    plugins: [browserRules(root, options.runtimeExternal ?? false)],
  });
  const code = result.outputFiles[0].text;
  if (options.outfile) {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(dirname(resolve(root, options.outfile)), { recursive: true });
    await writeFile(resolve(root, options.outfile), code);
  }
  return code;
}

/** Both files `npm run build` ships (under dist/). */
export async function writeBrowserBundles(outDir: string): Promise<void> {
  await buildRuntimeBundle({ outfile: join(outDir, BUNDLE_FILE) });
  await buildRuntimeBundle({ entry: BRIDGE_ENTRY, runtimeExternal: true, outfile: join(outDir, BRIDGE_FILE) });
}

const cached = new Map<string, Promise<string>>();

/**
 * A bundle's source: built from the sources when running them, else the prebuilt file of the
 * installed package. Built once per process.
 */
function bundleSource(file: string, build: () => Promise<string>): Promise<string> {
  let pending = cached.get(file);
  if (!pending) {
    const prebuilt = join(root, file);
    pending = FROM_SOURCES
      ? build()
      : existsSync(prebuilt)
        ? readFile(prebuilt, 'utf8')
        : Promise.reject(new UsageError(`${prebuilt}: the browser runtime is not built; run 'npm run build' in the dawnflow package`));
    cached.set(file, pending);
    pending.catch(() => cached.delete(file));
  }
  return pending;
}

/** The runtime as one browser ES module. */
export function runtimeBundle(): Promise<string> {
  return bundleSource(BUNDLE_FILE, () => buildRuntimeBundle());
}

/** The page script of `run --browser`. */
export function bridgeBundle(): Promise<string> {
  return bundleSource(BRIDGE_FILE, () => buildRuntimeBundle({ entry: BRIDGE_ENTRY, runtimeExternal: true }));
}
