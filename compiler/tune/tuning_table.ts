import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import type { KernelGroup } from '../../targets/wgsl/codegen.js';
import type { TiledConvConfig, TiledMatmulConfig, Vec4MatmulConfig } from '../../targets/wgsl/templates/tile_configs.js';
import type { CompileOptions } from '../compile.js';

/**
 * Tuned kernel configurations, keyed by adapter and kernel signature (template kind + the shapes
 * and attributes that decide its loops). Plain JSON: cached on disk between compiles and stored
 * in AOT artifacts.
 */
export type KernelConfig = TiledMatmulConfig | Vec4MatmulConfig | TiledConvConfig;

export interface TuningTable {
  readonly version: 1;
  /** key → { config, ms } where key = `${adapter}|${signature}`. */
  readonly entries: Record<string, { readonly config: KernelConfig; readonly ms: number }>;
}

export function emptyTable(): TuningTable {
  return { version: 1, entries: {} };
}

/** What decides a template's loops: its kind, the anchor's operand shapes and attributes. */
export function kernelSignature(kind: 'matmul' | 'vec4-matmul' | 'conv', group: KernelGroup): string {
  const anchor = group.anchor!;
  const shapes = anchor.inputs.map((v) => `${v.type.dtype}[${v.type.shape.join(',')}]`).join('x');
  const attrs = kind === 'conv' ? JSON.stringify(anchor.attrs) : '';
  return `${kind}:${shapes}${attrs}`;
}

/** Compile options that read configurations from a table for one adapter. */
export function tunedOptions(table: TuningTable, adapter: string): Pick<CompileOptions, 'matmulConfig' | 'vec4MatmulConfig' | 'convConfig'> {
  const get = <T extends KernelConfig>(kind: 'matmul' | 'vec4-matmul' | 'conv') => (group: KernelGroup) =>
    table.entries[`${adapter}|${kernelSignature(kind, group)}`]?.config as T | undefined;
  return { matmulConfig: get<TiledMatmulConfig>('matmul'), vec4MatmulConfig: get<Vec4MatmulConfig>('vec4-matmul'), convConfig: get<TiledConvConfig>('conv') };
}

export function defaultCachePath(): string {
  return process.env.DAWNFLOW_TUNING_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dawnflow', 'tuning.json');
}

/** Reads a table; a missing or unreadable cache is an empty one (tuning is only an optimization). */
export function loadTable(path = defaultCachePath()): TuningTable {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as TuningTable;
    return parsed.version === 1 && typeof parsed.entries === 'object' ? parsed : emptyTable();
  } catch {
    return emptyTable();
  }
}

/** Writes atomically: a crash mid-write never leaves a torn cache. */
export function saveTable(table: TuningTable, path = defaultCachePath()): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(table, null, 1));
  renameSync(tmp, path);
}
