import { isDirectory, isModulePath } from '../files.js';
import type { CliIO } from '../io.js';
import type { Runnable, RunnableOptions } from './runnable.js';

export type RunnableKind = 'artifact' | 'module' | 'onnx';

export function runnableKind(path: string): RunnableKind {
  if (isDirectory(path)) return 'artifact';
  return isModulePath(path) ? 'module' : 'onnx';
}

/**
 * Opens what `path` names. Each kind is imported only when used: running an artifact loads no
 * compiler code (test/artifact/cli.test.ts runs it with the compiler's imports forbidden).
 */
export async function openRunnable(path: string, kind: RunnableKind, options: RunnableOptions, io: CliIO): Promise<Runnable> {
  switch (kind) {
    case 'artifact':
      return (await import('./artifact.js')).openArtifact(path, options);
    case 'module':
      return (await import('./dsl_module_model.js')).openDslModule(path, options, io);
    case 'onnx':
      return (await import('./onnx_model.js')).openOnnxModel(path, options, io);
  }
}
