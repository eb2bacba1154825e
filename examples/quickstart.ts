// The README's fifteen-line example: `npx tsx examples/quickstart.ts`.
import { compile, GraphBuilder, hostTensor, Executable, getDefaultDevice } from '../index.js';

const b = new GraphBuilder('mlp');
const x = b.input('x', 'f32', ['batch', 4]);
const w = b.constant(hostTensor('f32', [4, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]), 'w');
const bias = b.constant(hostTensor('f32', [3], [0.5, -0.5, 0]), 'bias');
b.output(b.op('relu', [b.op('add', [b.op('matmul', [x, w]), bias])]), 'y');   // one fused kernel

const device = await getDefaultDevice();
const plan = compile(b.graph, { dims: { batch: 2 }, limits: device.limits });
const model = await Executable.load(plan, device);
const { y } = await model.run({ x: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) });
console.log(y.data, plan.memory);                                              // [5.5, 5.5, 7, 13.5, 13.5, 15]
