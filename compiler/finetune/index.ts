/** Fine-tuning imported ONNX models: as DSL modules with chosen parameters, and exported back. */
export { OnnxModule } from './onnx_module.js';
export type { OnnxModuleOptions } from './onnx_module.js';
export { resolveSelection } from './selection.js';
export type { BatchNormMode, ParameterSelection, ResolvedSelection } from './selection.js';
export { exportModel } from './export_model.js';
export type { ModelExportOptions } from './export_model.js';
export { inlineGraph } from './inline.js';
