import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { GraphBuilder } from '../../ir/index.js';
import { acquireDevice, Executable, getDefaultDevice, shaderModuleCount } from '../../runtime/index.js';
import { cachedPipelineCount } from '../../runtime/pipelines.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

/**
 * `sizeUniforms: 'all'`: static sizes read from the kernels' uniform like symbolic ones, so
 * layers of one structure and different sizes emit the same WGSL and share one pipeline; the
 * default keeps static kernels as they were (no uniform at all).
 */

function layers() {
  const b = new GraphBuilder('layers');
  const a = b.input('a', 'f32', [6, 24]);
  const c = b.input('c', 'f32', [10, 16]);
  // Two matmul+bias+relu layers and two softmaxes of different sizes, one structure each.
  const l1 = b.op('relu', [b.op('add', [b.op('matmul', [a, b.constant(randomTensor('f32', [24, 12], 1))]), b.constant(randomTensor('f32', [12], 2))])]);
  const l2 = b.op('relu', [b.op('add', [b.op('matmul', [c, b.constant(randomTensor('f32', [16, 20], 3))]), b.constant(randomTensor('f32', [20], 4))])]);
  b.output(b.op('softmax', [l1], { axis: -1 }), 'y1');
  b.output(b.op('softmax', [l2], { axis: -1 }), 'y2');
  return b.graph;
}

describe("sizeUniforms: 'all'", () => {
  it('layers of one structure share their WGSL, and every output still equals the reference', async () => {
    const graph = layers();
    const device = await getDefaultDevice();
    const baked = compile(graph, { limits: device.limits });
    const shared = compile(graph, { limits: device.limits, sizeUniforms: 'all' });
    expect(baked.kernels.every((k) => !k.sizeSlots)).toBe(true);
    expect(shared.steps.length).toBe(baked.steps.length);
    expect(shared.kernels.length).toBeLessThan(baked.kernels.length);
    expect(shared.kernels.length).toBe(2);
    const inputs = { a: randomTensor('f32', [6, 24], 5), c: randomTensor('f32', [10, 16], 6) };
    const expected = interpret(graph, inputs).outputs;
    const exe = await Executable.load(shared, device);
    try {
      const out = await exe.run(inputs);
      for (const name of ['y1', 'y2']) expectClose(out[name], expected[name], { rtol: 1e-5, atol: 1e-6 }, name);
      expect(exe.shaderModules).toBe(2);
    } finally {
      exe.dispose();
    }
  });

  it("two executables of one structure at different sizes share the device's pipelines (and the sizes layout)", async () => {
    const mlp = (rows: number, k: number, n: number) => {
      const b = new GraphBuilder(`mlp_${rows}_${k}_${n}`);
      const x = b.input('x', 'f32', [rows, k]);
      b.output(b.op('relu', [b.op('matmul', [x, b.constant(randomTensor('f32', [k, n], k + n))])]), 'y');
      return b.graph;
    };
    const small = mlp(5, 12, 8);
    const large = mlp(19, 40, 28);
    const device = await acquireDevice();
    try {
      const first = compile(small, { limits: device.limits, sizeUniforms: 'all' });
      const second = compile(large, { limits: device.limits, sizeUniforms: 'all' });
      expect(first.kernels.map((k) => k.wgsl)).toEqual(second.kernels.map((k) => k.wgsl));
      expect(first.kernels.every((k) => (k.sizeSlots ?? 0) > 0)).toBe(true);
      const modules = shaderModuleCount();
      const a = await Executable.load(first, device);
      const b = await Executable.load(second, device);
      try {
        expect(cachedPipelineCount(device.device)).toBe(first.kernels.length);
        expect(shaderModuleCount() - modules, 'the second executable creates no module').toBe(first.kernels.length);
        for (const [exe, graph, rows, k] of [[a, small, 5, 12], [b, large, 19, 40]] as const) {
          const inputs = { x: randomTensor('f32', [rows, k], rows) };
          expectClose((await exe.run(inputs)).y, interpret(graph, inputs).outputs.y, { rtol: 1e-5, atol: 1e-6 }, graph.name);
        }
      } finally {
        a.dispose();
        b.dispose();
      }
    } finally {
      device.destroy();
    }
  });
});
