import { describe, it } from 'vitest';
import { CASES } from './cases.js';
import { caseName } from './gradcheck.js';
import { checkBackwardOnGpu } from './gpu_backward.js';

const STRUCTURED = /^(reduce|softmax|attention|logSoftmax|cumSum|matmul|reshape|transpose|concat|slice|gather|expand|squeeze|unsqueeze|pad|tile|conv|maxPool|avgPool|lpPool|layerNorm|scatter|trilu|topK|resize)/;

describe('reduction, layout, contraction and window backward on the GPU', () => {
  for (const c of CASES.filter((c) => STRUCTURED.test(c.op))) {
    it(`${caseName(c)}: GPU equals reference`, () => checkBackwardOnGpu(c));
  }
});
