/**
 * What one memory access costs inside a kernel's loop on this adapter, next to an FMA:
 * `npm run bench:access`. Kernel templates are designed around these ratios (how many FMAs a
 * register tile must do per load), so they are measured, not assumed.
 *
 * Every kernel is the same loop (256 trips × 16 independent operations per invocation, 512
 * workgroups of 64); only the operation differs. Kernels take turns, `--rounds` times (default
 * 7), so that the machine's load falls on all alike; each row is its fastest wall time (load only
 * ever adds time) per operation of 8 invocations (one SIMD vector on lavapipe), and its cost in
 * FMAs.
 * Raw WGSL on the device's GPUDevice with layout 'auto': uniform buffers and textures are not
 * bindings a dawnflow plan makes, and are measured here only as alternatives.
 */
import { getDefaultDevice } from '../index.js';
import { optionValue } from './options.js';

const WORKGROUPS = 512;
const TRIPS = 256;
const OPS = 16;
/** Elements of the storage buffer read (4 MiB) and of the uniform buffer (its 64 KiB limit). */
const STORAGE_ELEMENTS = 1 << 20;
const UNIFORM_VEC4S = 4096;
const TEXTURE = { width: 1024, height: 256 };

type Source = 'none' | 'storage' | 'uniform' | 'texture-r32' | 'texture-rgba32' | 'workgroup';

interface Access {
  readonly name: string;
  readonly source: Source;
  /** Accumulators are vec4 (4 of them) rather than 16 scalars. */
  readonly vec4?: boolean;
  /** One operation `i` of a trip `k`; `col` is the invocation's column, `m` a lane-varying factor. */
  readonly op: (i: number) => string;
}

// Row indices cycle through 256 rows of 1024 columns: every access of a trip is to a new address.
const row = (i: number) => `((k * 16u + ${i}u) & 255u)`;
const ACCESSES: readonly Access[] = [
  { name: 'fma (the unit)', source: 'none', op: (i) => `s${i} = fma(s${i}, m, 0.001f);` },
  { name: 'subgroupBroadcast f32', source: 'none', op: (i) => `s${i} += subgroupBroadcast(m, ${i % 8}u);` },
  { name: 'subgroupBroadcast vec4', source: 'none', vec4: true, op: (i) => `s${i % 4} += subgroupBroadcast(vec4<f32>(m), ${i % 8}u);` },
  { name: 'storage f32, per-lane address', source: 'storage', op: (i) => `s${i} += S[${row(i)} * 1024u + col];` },
  { name: 'storage f32, uniform address', source: 'storage', op: (i) => `s${i} += S[${row(i)} * 1024u];` },
  { name: 'storage vec4, per-lane address', source: 'storage', vec4: true, op: (i) => `s${i % 4} += S4[${row(i)} * 256u + (col & 255u)];` },
  { name: 'workgroup f32, per-lane address', source: 'workgroup', op: (i) => `s${i} += W[(k * 16u + ${i}u + lid.x) & 255u];` },
  { name: 'uniform buffer f32, per-lane', source: 'uniform', op: (i) => `s${i} += U[(k * 16u + ${i}u + col) & ${UNIFORM_VEC4S - 1}u].x;` },
  { name: 'uniform buffer vec4, per-lane', source: 'uniform', vec4: true, op: (i) => `s${i % 4} += U[(k * 16u + ${i}u + col) & ${UNIFORM_VEC4S - 1}u];` },
  { name: 'texture r32float, per-lane', source: 'texture-r32', op: (i) => `s${i} += textureLoad(T, vec2u(col, ${row(i)}), 0).x;` },
  { name: 'texture rgba32float, per-lane', source: 'texture-rgba32', vec4: true, op: (i) => `s${i % 4} += textureLoad(T, vec2u(col, ${row(i)}), 0);` },
];

function declarations(a: Access): string {
  switch (a.source) {
    case 'storage':
      return a.vec4 ? '@group(0) @binding(1) var<storage, read_write> S4: array<vec4<f32>>;' : '@group(0) @binding(1) var<storage, read_write> S: array<f32>;';
    case 'uniform':
      return `@group(0) @binding(1) var<uniform> U: array<vec4<f32>, ${UNIFORM_VEC4S}>;`;
    case 'texture-r32':
    case 'texture-rgba32':
      return '@group(0) @binding(1) var T: texture_2d<f32>;';
    case 'workgroup':
      return 'var<workgroup> W: array<f32, 256>;';
    case 'none':
      return '';
  }
}

function kernel(a: Access): string {
  const accumulators = a.vec4 ? 4 : OPS;
  const type = a.vec4 ? 'vec4<f32>' : 'f32';
  const fill = a.source === 'workgroup' ? 'for (var q = lid.x; q < 256u; q += 64u) { W[q] = f32(q) * 0.01f; }\n  workgroupBarrier();' : '';
  const sum = Array.from({ length: accumulators }, (_, i) => `s${i}`).join(' + ');
  return `enable subgroups;
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
${declarations(a)}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let col = lid.x + (wid.x & 15u) * 64u;
  let m = 0.999f + f32(lid.x) * 1e-6f;
  ${fill}
  ${Array.from({ length: accumulators }, (_, i) => `var s${i} = ${type}(0.0f);`).join('\n  ')}
  for (var k = 0u; k < ${TRIPS}u; k++) {
    ${Array.from({ length: OPS }, (_, i) => a.op(i)).join('\n    ')}
  }
  let total = ${sum};
  out[wid.x * 64u + lid.x] = ${a.vec4 ? 'total.x + total.y + total.z + total.w' : 'total'};
}`;
}


async function main(): Promise<void> {
  const rounds = Number(optionValue('rounds', '7'));
  const dawn = await getDefaultDevice();
  const device = dawn.device;
  const pattern = (n: number) => new Float32Array(n).map((_, i) => (i % 97) / 97);
  const buffer = (bytes: number, usage: number, data?: Float32Array) => {
    const b = device.createBuffer({ size: bytes, usage: usage | GPUBufferUsage.COPY_DST });
    if (data) device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const out = buffer(WORKGROUPS * 64 * 4, GPUBufferUsage.STORAGE);
  const storage = buffer(STORAGE_ELEMENTS * 4, GPUBufferUsage.STORAGE, pattern(STORAGE_ELEMENTS));
  const uniform = buffer(UNIFORM_VEC4S * 16, GPUBufferUsage.UNIFORM, pattern(UNIFORM_VEC4S * 4));
  const texture = (format: GPUTextureFormat, channels: number) => {
    const t = device.createTexture({ size: [TEXTURE.width, TEXTURE.height], format, usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    device.queue.writeTexture({ texture: t }, pattern(TEXTURE.width * TEXTURE.height * channels), { bytesPerRow: TEXTURE.width * channels * 4 }, [TEXTURE.width, TEXTURE.height]);
    return t;
  };
  const textures = { 'texture-r32': texture('r32float', 1), 'texture-rgba32': texture('rgba32float', 4) };

  const prepared = await Promise.all(
    ACCESSES.map(async (a) => {
      const module = device.createShaderModule({ code: kernel(a), label: a.name });
      const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: a.name });
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: out } }];
      if (a.source === 'storage') entries.push({ binding: 1, resource: { buffer: storage } });
      if (a.source === 'uniform') entries.push({ binding: 1, resource: { buffer: uniform } });
      if (a.source === 'texture-r32' || a.source === 'texture-rgba32') entries.push({ binding: 1, resource: textures[a.source].createView() });
      return { access: a, pipeline, bindGroup: device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }) };
    }),
  );
  const run = async (p: (typeof prepared)[number]): Promise<number> => {
    const start = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, p.bindGroup);
    pass.dispatchWorkgroups(WORKGROUPS);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - start;
  };
  device.pushErrorScope('validation');
  for (const p of prepared) await run(p); // the driver compiles at the first dispatch
  const invalid = await device.popErrorScope();
  if (invalid) throw new Error(`access-cost kernels: ${invalid.message.split('\n')[0]}`);
  const times = prepared.map((): number[] => []);
  for (let r = 0; r < rounds; r++) for (const [i, p] of prepared.entries()) times[i].push(await run(p));

  const vectorOps = ((WORKGROUPS * 64) / 8) * TRIPS * OPS;
  const nsPerOp = times.map((t) => (Math.min(...t) * 1e6) / vectorOps);
  console.log(`memory access costs on ${dawn.adapterDescription}: ns per operation of 8 invocations (fastest of ${rounds} interleaved rounds), and in FMAs`);
  for (const [i, a] of ACCESSES.entries()) {
    console.log(`  ${a.name.padEnd(34)} ${nsPerOp[i].toFixed(3).padStart(8)} ns ${(nsPerOp[i] / nsPerOp[0]).toFixed(1).padStart(7)} FMAs`);
  }
  for (const b of [out, storage, uniform]) b.destroy();
  for (const t of Object.values(textures)) t.destroy();
}

await main();
process.exit(0);
