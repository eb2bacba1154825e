// Prints the WebGPU adapter `webgpu` (Dawn) finds, or exits 1 when there is none.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.error('probe-adapter: no WebGPU adapter');
  process.exit(1);
}
const info = adapter.info ?? {};
console.log(`WebGPU adapter: ${[info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ')}`);
process.exit(0);
