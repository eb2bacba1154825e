import { describe, expect, it } from 'vitest';
import { GraphBuilder, InputError, ShapeError } from '../../ir/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { thrown } from '../helpers/errors.js';
import { randomTensor } from '../helpers/random.js';

/**
 * The reference interpreter binds symbolic dims from its inputs. A dim an attribute names
 * (reshape to ['B', 'T', 2, 3]) once became NaN: a tensor of shape [NaN, NaN, 2, 3] holding no
 * data, which every comparison took as matching another one like it.
 */
describe('reference interpreter: symbolic dims', () => {
  const reshapeGraph = () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', ['B', 'T', 6]);
    b.output(b.op('reshape', [x], { shape: ['B', 'T', 2, 3] }, 'y'));
    return b.graph;
  };

  it('resolves a dim an attribute names through the inputs', () => {
    const x = randomTensor('f32', [2, 3, 6], 1);
    const { y } = interpret(reshapeGraph(), { x }).outputs;
    expect(y.shape).toEqual([2, 3, 2, 3]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
  });

  it('refuses a dim no input binds, and inputs that disagree on one', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [6]);
    b.output(b.op('reshape', [x], { shape: ['K', 3] }, 'y'));
    const unbound = await thrown(() => interpret(b.graph, { x: randomTensor('f32', [6], 1) }));
    expect(unbound).toBeInstanceOf(ShapeError);
    expect(unbound.message).toBe("reshape 'y': symbolic dim 'K' is not bound");

    const two = new GraphBuilder();
    const p = two.input('p', 'f32', ['N']);
    const q = two.input('q', 'f32', ['N']);
    two.output(two.op('add', [p, q], {}, 'y'));
    const disagree = await thrown(() => interpret(two.graph, { p: randomTensor('f32', [3], 1), q: randomTensor('f32', [4], 2) }));
    expect(disagree).toBeInstanceOf(InputError);
    expect(disagree.message).toBe("input 'q' has 4 for dim 'N', which another input gives as 3");
  });
});
