import { Registry, UnsupportedOpError } from '../../../ir/index.js';
import type { OnnxOpHandler } from '../context.js';

/**
 * The table from ONNX op types (default ai.onnx domain) to handlers. Each op family file adds
 * its entries; `ops/index.ts` imports every family.
 */
export const onnxOpTable = new Registry<OnnxOpHandler>('ONNX op', (opType, where) => new UnsupportedOpError(`${where}: ONNX op '${opType}' is not supported`));

export function defineOnnxOps(table: Readonly<Record<string, OnnxOpHandler>>): void {
  for (const [opType, handler] of Object.entries(table)) onnxOpTable.register(opType, handler);
}

export function onnxHandler(opType: string): OnnxOpHandler | undefined {
  return onnxOpTable.find(opType);
}

/** Every ONNX op type the importer maps, sorted. */
export function supportedOnnxOps(): string[] {
  return onnxOpTable.names().sort();
}
