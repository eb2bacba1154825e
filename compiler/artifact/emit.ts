import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../../ir/index.js';
import type { ArtifactManifest, ManifestEntry } from '../../ir/artifact_format.js';
import { ARTIFACT_FORMAT, ARTIFACT_VERSION, KERNELS_DIR, MANIFEST_FILE, MODULE_BASENAME, PLAN_FILE, WEIGHTS_FILE } from '../../ir/artifact_format.js';
import { encodeSafetensors } from '../../ir/safetensors.js';
import { DEFAULT_LIMITS } from '../compile.js';
import { serializePlan } from './serialize_plan.js';
import { generateTypedModule } from './typed_module.js';

export interface EmitArtifactOptions {
  /**
   * The module specifier the generated model.js imports the runtime from. The default suits an
   * artifact used where the dawnflow package is installed; inside this repository (tests) pass a
   * file URL of runtime/index.ts or dist/runtime/index.js instead.
   */
  readonly runtimeImport?: string;
  /** The device limits the plan was compiled with, recorded in plan.json for the reader. */
  readonly compiledFor?: Readonly<Record<string, number>>;
  /** Recorded in the manifest (default "dawnflow <version>"). */
  readonly createdBy?: string;
  /** Output name → .npy descr of the source model's element type (what `dawnflow run` writes). */
  readonly outputNpyTypes?: Readonly<Record<string, string>>;
}

export interface EmittedArtifact {
  readonly dir: string;
  readonly manifest: ArtifactManifest;
}

export const DEFAULT_RUNTIME_IMPORT = 'dawnflow/runtime';

/** Of a device's many limits, the ones compile() planned with. */
function compilerLimits(limits: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.keys(DEFAULT_LIMITS).flatMap((name) => (limits[name] === undefined ? [] : [[name, limits[name]]])));
}

let packageVersion: string | undefined;

/** This package's version, from the package.json above this file (in sources and in dist/). */
function dawnflowVersion(): string {
  if (packageVersion !== undefined) return packageVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dawnflow') return (packageVersion = pkg.version ?? 'unknown');
    } catch {
      // No package.json here: keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) return (packageVersion = 'unknown');
    dir = parent;
  }
}

/**
 * Writes an ahead-of-time artifact for `plan` into `dir` (see ir/artifact_format.ts for the
 * layout). The manifest is removed first and renamed into place last, so a directory with a
 * manifest is a complete artifact even if an earlier emission was interrupted. The other files
 * need no write-and-rename of their own: the loader checks each against the manifest's size and
 * SHA-256 before reading it, so a torn file is an ArtifactError, never a wrong model.
 */
export async function emitArtifact(plan: Plan, dir: string, options: EmitArtifactOptions = {}): Promise<EmittedArtifact> {
  const root = resolve(dir);
  const createdBy = options.createdBy ?? `dawnflow ${dawnflowVersion()}`;
  const { planFile, kernelFiles, weights } = serializePlan(plan, compilerLimits(options.compiledFor ?? {}), options.outputNpyTypes);
  const module = generateTypedModule(planFile, { runtimeImport: options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT, createdBy });

  await mkdir(root, { recursive: true });
  // The manifest goes first: a half-rewritten directory must not pass for a complete artifact.
  await rm(join(root, MANIFEST_FILE), { force: true });
  // Kernels of an earlier emission would linger under other names.
  await rm(join(root, KERNELS_DIR), { recursive: true, force: true });
  await mkdir(join(root, KERNELS_DIR), { recursive: true });

  const text = new TextEncoder();
  const files: [string, Uint8Array][] = [
    [PLAN_FILE, text.encode(`${JSON.stringify(planFile, null, 1)}\n`)],
    ...[...kernelFiles].map(([path, wgsl]): [string, Uint8Array] => [path, text.encode(wgsl)]),
    [WEIGHTS_FILE, encodeSafetensors(weights, { format: 'dawnflow-weights', plan: plan.name })],
    [`${MODULE_BASENAME}.ts`, text.encode(module.ts)],
    [`${MODULE_BASENAME}.js`, text.encode(module.js)],
    [`${MODULE_BASENAME}.d.ts`, text.encode(module.dts)],
    // model.js is an ES module wherever the directory is copied, even inside a CommonJS package.
    ['package.json', text.encode('{ "type": "module" }\n')],
  ];
  const entries: Record<string, ManifestEntry> = {};
  await Promise.all(
    files.map(async ([path, bytes]) => {
      await writeFile(join(root, path), bytes);
      entries[path] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    }),
  );
  const sorted = Object.fromEntries(Object.keys(entries).sort().map((k) => [k, entries[k]]));
  const manifest: ArtifactManifest = { format: ARTIFACT_FORMAT, version: ARTIFACT_VERSION, createdBy, name: plan.name, files: sorted };
  const pending = join(root, `${MANIFEST_FILE}.${process.pid}.tmp`);
  await writeFile(pending, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(pending, join(root, MANIFEST_FILE));
  return { dir: root, manifest };
}
