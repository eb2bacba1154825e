/** The TypeScript DSL: symbolic tensors, modules, parameters, losses. */
export { Trace, STEP_STATE } from './trace.js';
export type { TraceOptions } from './trace.js';
export { Tensor, concat, where } from './tensor.js';
export type { Mode, PadMode, TensorLike, TensorTrace } from './tensor.js';
export { Parameter } from './parameter.js';
export type { ParameterOptions } from './parameter.js';
export { init, initialValue } from './init.js';
export type { Fans, Initializer } from './init.js';
export { Lambda, Module, Sequential } from './module.js';
export * as nn from './nn.js';
export { binaryCrossEntropyWithLogits, correct, crossEntropy, l1, losses, mse, oneHot } from './losses.js';
export type { LossFn, Reduction } from './losses.js';
export { causalMask, MultiHeadAttention, scaledDotProductAttention } from './attention.js';
export type { AttentionContext, KeyValue, MultiHeadAttentionOptions } from './attention.js';
export { Gpt, GptBlock, nextTokenLoss } from './models/gpt.js';
export type { GptConfig } from './models/gpt.js';
