import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { GraphBuilder, hostTensor } from '../../ir/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { runOnGpu } from '../helpers/gpu.js';
import { randomTensor } from '../helpers/random.js';

describe('in-place outputs', () => {
  it('an elementwise kernel writes over an input that dies there', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [1000]);
    const e = b.op('exp', [b.op('neg', [x])], {}, 'e'); // two consumers: materialized
    const y = b.op('add', [b.op('sin', [e]), b.op('cos', [e])], {}, 'y');
    b.output(b.op('mul', [b.op('sqrt', [y]), b.op('abs', [y])]), 'out');
    const plan = compile(b.graph);
    const offsets = (name: string) => plan.tensors.filter((t) => t.name === name).map((t) => `${t.region}@${t.offset}`);
    expect(offsets('y')).toEqual(offsets('e'));
    expect(compile(b.graph, { inPlace: false }).memory.arenaBytes).toBeGreaterThan(plan.memory.arenaBytes);
    const inputs = { x: randomTensor('f32', [1000], 1) };
    expectClose((await runOnGpu(b.graph, inputs)).out, interpret(b.graph, inputs).outputs.out, { rtol: 1e-5, atol: 1e-6 });
  });

  it('a state updated elementwise is updated in its own buffer, with no copy', async () => {
    const b = new GraphBuilder();
    const p = b.state('param', hostTensor('f32', [257], new Float32Array(257).fill(1)));
    const g = b.input('grad', 'f32', [257]);
    const next = b.op('sub', [p, b.op('mul', [g, b.constant(hostTensor('f32', [], [0.5]))])]);
    b.updateState(p, next);
    b.output(b.op('reduceSum', [p], { axes: [0] }), 'sum');
    const device = await getDefaultDevice();
    const plan = compile(b.graph, { limits: device.limits });
    // The sum reads the old value before the update overwrites it? It must not be in place then.
    const exe = await Executable.load(plan, device);
    const grad = randomTensor('f32', [257], 2);
    const sums: number[] = [];
    for (let step = 0; step < 3; step++) sums.push(Number((await exe.run({ grad })).sum.data[0]));
    const final = await exe.readState('param');
    for (let i = 0; i < 257; i++) expect(final.data[i]).toBeCloseTo(1 - 1.5 * Number(grad.data[i]), 5);
    let expected = 257;
    const gsum = [...grad.data].reduce((a, v) => a + Number(v), 0);
    for (const s of sums) {
      expect(s).toBeCloseTo(expected, 3);
      expected -= 0.5 * gsum;
    }
    exe.dispose();
  });

  it('with nothing else reading the state, the update happens in place', () => {
    const b = new GraphBuilder();
    const p = b.state('param', hostTensor('f32', [64], new Float32Array(64)));
    const g = b.input('grad', 'f32', [64]);
    b.updateState(p, b.op('sub', [p, g]));
    b.output(b.op('reduceSum', [g], { axes: [0] }), 'gsum');
    const plan = compile(b.graph);
    expect(plan.stateUpdates).toEqual([]);
    expect(compile(b.graph, { inPlace: false }).stateUpdates).toHaveLength(1);
  });
});
