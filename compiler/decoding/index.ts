export { buildDecodeGraph, buildPrefillGraph } from './graphs.js';
export type { DecoderGraphOptions } from './graphs.js';
export { compileDecoder } from './compile_decoder.js';
export type { DecoderCompileOptions } from './compile_decoder.js';
export { DECODER_ONNX_FILES, exportDecoderOnnx } from './export_onnx.js';
