import type { OnnxOpHandler } from '../context.js';

/**
 * The table from ONNX op types (default ai.onnx domain) to handlers. Each op family file adds
 * its entries; `ops/index.ts` imports every family.
 */
const handlers = new Map<string, OnnxOpHandler>();

export function defineOnnxOps(table: Readonly<Record<string, OnnxOpHandler>>): void {
  for (const [opType, handler] of Object.entries(table)) {
    if (handlers.has(opType)) throw new Error(`ONNX op '${opType}' defined twice`);
    handlers.set(opType, handler);
  }
}

export function onnxHandler(opType: string): OnnxOpHandler | undefined {
  return handlers.get(opType);
}

/** Every ONNX op type the importer maps, sorted. */
export function supportedOnnxOps(): string[] {
  return [...handlers.keys()].sort();
}
