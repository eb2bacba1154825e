import type { KernelTemplate } from '../kernel_types.js';
import { ATTENTION_TEMPLATE } from './attention.js';
import { CONCAT_COPY_TEMPLATE } from './concat_copy.js';
import { ROW_MATMUL_TEMPLATE } from './row_matmul.js';
import { ROW_TEMPLATE } from './row_template.js';
import { TILED_CONV_TEMPLATE } from './tiled_conv.js';
import { TILED_CONV_GRAD_WEIGHT_TEMPLATE } from './tiled_conv_grad_weight.js';
import { TILED_MATMUL_TEMPLATE } from './tiled_matmul.js';
import { VEC4_MATMUL_TEMPLATE } from './vec4_matmul.js';

/**
 * Every kernel template, in the order codegen tries them: the first that matches a group and
 * generates a kernel wins; a group none takes gets the generic one-invocation-per-element
 * kernel. Order matters only where matches overlap: one-row matmuls (M = 1, untuned) first,
 * then the vec4 matmul (f32 operands from memory, K and N multiples of 4) before the scalar
 * matmul, which takes every other matmul anchor and whatever the vec4 one declines.
 */
export const TEMPLATES: readonly KernelTemplate[] = [
  ROW_MATMUL_TEMPLATE,
  VEC4_MATMUL_TEMPLATE,
  TILED_MATMUL_TEMPLATE,
  ROW_TEMPLATE,
  TILED_CONV_GRAD_WEIGHT_TEMPLATE,
  TILED_CONV_TEMPLATE,
  ATTENTION_TEMPLATE,
  CONCAT_COPY_TEMPLATE,
];
