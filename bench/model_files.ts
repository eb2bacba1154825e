import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from './cases.js';
import { caseId } from './cases.js';
import { convModel } from './models/kernel_models.js';
import { matmulModel } from './models/kernel_models.js';
import { materializeLightModel } from './models/light_models.js';
import { cnnStepModel } from './models/cnn_step.js';
import { mlpStepModel } from './models/mlp_step.js';
import { transformerModel } from './models/transformer_block.js';
import { dynamicMatmulModel, dynamicSqueezenetModel, dynamicTransformerModel } from './models/dynamic_models.js';

/**
 * The ONNX file of each case, written once by the parent into the cache directory so that
 * every peer's process loads the very same bytes. Bump the version when a generator changes.
 */

const MODEL_FORMAT = 'v3';

export function modelPath(cacheDir: string, c: BenchCase): string | undefined {
  return c.spec.kind === 'fma' || c.spec.kind === 'bandwidth' ? undefined : join(cacheDir, 'models', `${caseId(c)}.${MODEL_FORMAT}.onnx`);
}

function modelBytes(c: BenchCase, modelsDir: string): Uint8Array | undefined {
  const spec = c.spec;
  switch (spec.kind) {
    case 'matmul':
      return matmulModel(spec.n);
    case 'conv':
      return convModel(caseId(c), spec.layer);
    case 'light-model':
      return materializeLightModel(modelsDir, spec.model);
    case 'transformer':
      return transformerModel(caseId(c), spec.shape);
    case 'mlp-step':
      return mlpStepModel(spec.shape);
    case 'cnn-step':
      return cnnStepModel(spec.shape);
    case 'dynamic':
      switch (spec.model) {
        case 'matmul':
          return dynamicMatmulModel(spec.matmul!.k, spec.matmul!.n);
        case 'squeezenet':
          return dynamicSqueezenetModel(modelsDir);
        case 'transformer':
          return dynamicTransformerModel(caseId(c), spec.transformer!);
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Writes the missing model files (atomically: a crashed run leaves no half file behind).
 * Returns why a case has none (e.g. a --models directory without the light models): its rows then say so.
 */
export function prepareModelFiles(cases: readonly BenchCase[], cacheDir: string, modelsDir: string): Map<BenchCase, string> {
  mkdirSync(join(cacheDir, 'models'), { recursive: true });
  const problems = new Map<BenchCase, string>();
  for (const c of cases) {
    const path = modelPath(cacheDir, c);
    if (!path || existsSync(path)) continue;
    try {
      const bytes = modelBytes(c, modelsDir);
      if (!bytes) continue;
      writeFileSync(`${path}.tmp`, bytes);
      renameSync(`${path}.tmp`, path);
    } catch (error) {
      problems.set(c, `no model file: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`);
    }
  }
  return problems;
}
