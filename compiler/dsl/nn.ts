/** nn: layers and containers, `nn.Linear`, `nn.Sequential`... */
export { Lambda, Module, Sequential } from './module.js';
export { AvgPool2d, BatchNorm, Conv2d, Dropout, Embedding, Flatten, GELU, LayerNorm, LeakyReLU, Linear, MaxPool2d, ReLU, Sigmoid, Softmax, Tanh } from './layers.js';
export { MultiHeadAttention } from './attention.js';
export type { MultiHeadAttentionOptions } from './attention.js';
export type { BatchNormOptions, Conv2dOptions, LinearOptions, PoolOptions } from './layers.js';
