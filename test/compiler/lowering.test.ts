import { describe, expect, it } from 'vitest';
import { compile, compileWithReport } from '../../compiler/compile.js';
import type { FusedGroup } from '../../compiler/fusion/partition.js';
import type { Assembled } from '../../compiler/lowering/assemble.js';
import { codegen, partition, schedule } from '../../compiler/lowering/kernel_stages.js';
import type { Generated, InPlaced, Partitioned, Scheduled, Viewed } from '../../compiler/lowering/kernel_stages.js';
import { LOWERING, STAGE_NAMES } from '../../compiler/lowering/lowering.js';
import type { CompileOptions } from '../../compiler/lowering/options.js';
import { printAfter } from '../../compiler/lowering/print_after.js';
import { chain } from '../../compiler/lowering/stage.js';
import type { StageEvent } from '../../compiler/lowering/stage_event.js';
import { PASS_NAMES, PIPELINE } from '../../compiler/pipeline.js';
import type { Graph } from '../../ir/index.js';
import { GraphBuilder, hostTensor, printGraph, UsageError } from '../../ir/index.js';
import { Executable, getDefaultDevice } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';

/**
 * The lowering as a list of stages (compiler/lowering): its order, what each stage prints on a
 * small fixed graph, and the options that switch stages off.
 */

/**
 * x·w, reshaped (a view: it has two readers), read by exp and a sum; a counter state updated
 * elementwise (in place). Small enough to work every number out by hand.
 */
function smallGraph(): Graph {
  const b = new GraphBuilder('small');
  const x = b.input('x', 'f32', [2, 3]);
  const w = b.constant(hostTensor('f32', [3, 4], Float32Array.from({ length: 12 }, (_, i) => (i - 5) / 8)), 'w');
  const r = b.op('reshape', [b.op('matmul', [x, w], {}, 'mm')], { shape: [8] }, 'r');
  b.output(b.op('exp', [r], {}, 'e'), 'e');
  b.output(b.op('reduceSum', [r], { axes: [0] }, 'total'), 'total');
  const step = b.state('step', hostTensor('f32', [1], [0]));
  b.updateState(step, b.op('add', [step, b.constant(hostTensor('f32', [1], [1]), 'one')], {}, 'next'));
  return b.graph;
}

/** Every event of one compile, in order. */
function events(graph: Graph, options: CompileOptions = {}): StageEvent[] {
  const heard: StageEvent[] = [];
  compile(graph, { ...options, onStage: (e) => heard.push(e) });
  return heard;
}

function valueAfter<T>(heard: readonly StageEvent[], stage: string): T {
  const event = heard.find((e) => e.kind === 'stage' && e.name === stage);
  if (!event) throw new Error(`no stage '${stage}' ran`);
  return event.value as T;
}

function printedAfter(heard: readonly StageEvent[], stage: string): string {
  return heard.find((e) => e.kind === 'stage' && e.name === stage)!.describe();
}

const ops = (groups: readonly FusedGroup[]) => groups.map((g) => g.nodes.map((n) => n.name).join('+'));

describe('the lowering list', () => {
  it('is these stages, in this order, each run once after the one before', () => {
    expect(STAGE_NAMES).toEqual(['verify', 'specialize', 'optimize', 'materializeOutputs', 'partition', 'schedule', 'rematerialize', 'views', 'codegen', 'inPlace', 'lifetimes', 'pack', 'place', 'assemble']);
    expect(LOWERING.every((s) => s.purpose.length > 0)).toBe(true);
    // No name is both a stage and a graph pass: --print-ir-after needs one meaning per name.
    expect(STAGE_NAMES.filter((n) => PASS_NAMES.includes(n))).toEqual([]);

    // Every pass runs (fuseAttention only when asked for: see the options test below).
    const heard = events(smallGraph(), { fuseAttention: true });
    const passes = PIPELINE.map((p) => p.name);
    // The graph passes run inside 'optimize', so they are heard before it ends.
    expect(heard.map((e) => e.name)).toEqual(['verify', 'specialize', ...passes, ...STAGE_NAMES.slice(2)]);
    expect(heard.map((e) => e.kind)).toEqual(['stage', 'stage', ...passes.map(() => 'graph pass'), ...STAGE_NAMES.slice(2).map(() => 'stage')]);
  });

  it('hands each stage the value the one before it made', () => {
    const heard = events(smallGraph());
    const graph = valueAfter<Graph>(heard, 'materializeOutputs');
    const partitioned = valueAfter<Partitioned>(heard, 'partition');
    expect(partitioned.graph).toBe(graph);
    // Each later value carries the one before it forward (what the report and later stages read).
    const scheduled = valueAfter<Scheduled>(heard, 'schedule');
    const viewed = valueAfter<Viewed>(heard, 'views');
    const generated = valueAfter<Generated>(heard, 'codegen');
    const inPlaced = valueAfter<InPlaced>(heard, 'inPlace');
    const assembled = valueAfter<Assembled>(heard, 'assemble');
    expect(scheduled.graph).toBe(graph);
    expect(viewed.schedulePeakBytes).toBe(scheduled.schedulePeakBytes);
    expect(generated.views).toBe(viewed.views);
    expect(inPlaced.groups).toBe(generated.groups);
    expect(assembled.aliases).toBe(inPlaced.aliases);
    // compileWithReport reports the same values the stages made.
    const { plan, report } = compileWithReport(smallGraph());
    expect(JSON.stringify(plan)).toBe(JSON.stringify(assembled.plan));
    expect(report.lifetimes).toEqual(assembled.lifetimes);
    expect(report.schedulePeakBytes).toBe(assembled.schedulePeakBytes);
    expect(ops(report.groups)).toEqual(ops(assembled.groups));
  });

  it('is checked by the type checker: a stage out of order does not compile', () => {
    // @ts-expect-error codegen takes the views' value, not the partition's.
    const broken = chain([{ name: 'partition', purpose: '', run: partition, describe: () => '' }, { name: 'codegen', purpose: '', run: codegen, describe: () => '' }]);
    const fine = chain([{ name: 'partition', purpose: '', run: partition, describe: () => '' }, { name: 'schedule', purpose: '', run: schedule, describe: () => '' }]);
    expect([broken.length, fine.length]).toEqual([2, 2]);
  });
});

describe('what each stage prints (the small graph)', () => {
  const heard = events(smallGraph());

  it('graph stages print the graph', () => {
    expect(printedAfter(heard, 'verify')).toBe(printGraph(smallGraph()));
    expect(printedAfter(heard, 'materializeOutputs')).toBe(
      [
        'graph small(%x: f32[2,3]) {',
        '  %w = const : f32[3,4]',
        '  %one = const : f32[1]',
        '  %step = state : f32[1]',
        '  %mm = matmul(%x, %w) : f32[2,4]',
        '  %r = reshape(%mm) {shape=[8]} : f32[8]',
        '  %e = exp(%r) : f32[8]',
        '  %total = reduceSum(%r) {axes=[0], keepdims=false} : f32[]',
        '  %next = add(%step, %one) : f32[1]',
        '  %step <- %next',
        '  return %e, %total',
        '}',
      ].join('\n'),
    );
    const pass = heard.find((e) => e.kind === 'graph pass' && e.name === 'eliminateDeadCode')!;
    expect(pass.describe()).toBe(printGraph(pass.value as Graph));
  });

  it('partition, schedule and views print the kernel groups', () => {
    const groups = [
      "#0 matmul 'mm' (anchor matmul 'mm') -> %mm: f32[2,4]",
      "#1 reshape 'r' -> %r: f32[8]",
      "#2 exp 'e' -> %e: f32[8]",
      "#3 reduceSum 'total' (anchor reduceSum 'total') -> %total: f32[]",
      "#4 add 'next' -> %next: f32[1]",
    ];
    expect(printedAfter(heard, 'partition')).toBe(['5 kernel groups, in graph order:', ...groups].join('\n'));
    // Live bytes at the worst step: x 24 + mm 32 before x dies; then mm 32 + e 32 + total 4 (+ next 4 at the last step).
    expect(printedAfter(heard, 'schedule')).toBe(['peak live bytes: 68 (graph order: 68); run order:', ...groups].join('\n'));
    // No memory budget: nothing to recompute.
    expect(printedAfter(heard, 'rematerialize')).toBe('nothing recomputed');
    expect(printedAfter(heard, 'views')).toBe(
      [
        'view %r of %mm',
        '4 kernels:',
        "#0 matmul 'mm' (anchor matmul 'mm') -> %mm: f32[2,4]",
        "#1 exp 'e' -> %e: f32[8]",
        "#2 reduceSum 'total' (anchor reduceSum 'total') -> %total: f32[]",
        "#3 add 'next' -> %next: f32[1]",
      ].join('\n'),
    );
  });

  it('codegen prints each kernel with its bindings and its WGSL; inPlace the outputs written over inputs', () => {
    const generated = valueAfter<Generated>(heard, 'codegen');
    // WGSL has blank lines of its own; a kernel's block starts at its header.
    const blocks = printedAfter(heard, 'codegen').split(/\n\n(?=#\d+ )/);
    expect(blocks).toHaveLength(4);
    // Bindings read through the view: the exp and the sum bind mm's storage.
    const bindings = ['%x %w %mm', '%mm %e', '%mm %total', '%step %one %next'];
    blocks.forEach((block, i) => {
      const k = generated.kernels[i];
      const [header, ...wgsl] = block.split('\n');
      expect(header).toBe(`#${i} ${k.name}: workgroup [${k.workgroupSize.join(',')}], dispatch [1,1,1], bindings ${bindings[i]}`);
      expect(wgsl.join('\n')).toBe(k.wgsl.trimEnd());
      expect(k.wgsl).toMatch(/@compute/);
    });
    const add = generated.kernels[3];
    // The state's update is written over the state (it dies there): one binding fewer.
    expect(printedAfter(heard, 'inPlace')).toBe(
      ['%next in place of %step', 'kernels generated again:', `#3 ${add.name}: workgroup [${add.workgroupSize.join(',')}], dispatch [1,1,1], bindings %step %one`].join('\n'),
    );
  });

  it('lifetimes, pack and place print the memory plan', () => {
    // Steps: 0 matmul, 1 exp, 2 sum, 3 add. x is an input (from -1), e and total outputs (to 4).
    expect(printedAfter(heard, 'lifetimes')).toBe(
      [
        '4 arena buffers over 4 steps (-1: before the first, 4: after the last):',
        '%x: 24 B, steps -1..0',
        '%mm: 32 B, steps 0..2',
        '%e: 32 B, steps 1..4',
        '%total: 4 B, steps 2..4',
      ].join('\n'),
    );
    // 256-byte slots: x and e never live at once and share one; at step 2 mm, e and total are live (3 slots).
    // Naive: x, mm, r, e, total and next each a slot of their own.
    expect(printedAfter(heard, 'pack')).toBe(
      [
        'arena 768 B (lower bound 768 B, naive 1536 B), packer greedy-by-size:',
        '@0 %mm: 32 B, steps 0..2',
        '@256 %x: 24 B, steps -1..0',
        '@256 %e: 32 B, steps 1..4',
        '@512 %total: 4 B, steps 2..4',
      ].join('\n'),
    );
    expect(printedAfter(heard, 'place')).toBe(
      [
        'arena: 768 B',
        '  @0 %mm: f32[2,4], 32 B',
        '  @0 %r: f32[8], 32 B (storage of %mm)',
        '  @256 %x: f32[2,3], 24 B',
        '  @256 %e: f32[8], 32 B',
        '  @512 %total: f32[], 4 B',
        'constants: 512 B',
        '  @0 %w: f32[3,4], 48 B',
        '  @256 %one: f32[1], 4 B',
        'states: 256 B',
        '  @0 %step: f32[1], 4 B',
        '  @0 %next: f32[1], 4 B (storage of %step)',
      ].join('\n'),
    );
  });

  it('assemble prints the plan', () => {
    const { plan } = valueAfter<Assembled>(heard, 'assemble');
    const kernel = (i: number, name: string, bindings: number) => `  k${i} ${name}: workgroup [${plan.kernels[i].workgroupSize.join(',')}], ${bindings} bindings`;
    expect(printedAfter(heard, 'assemble')).toBe(
      [
        "plan 'small': 4 steps, 4 kernels; arena 768 B, constants 512 B, states 256 B",
        'tensors:',
        "  t0 'x': f32[2,3], arena @256, 24 B",
        "  t1 'w': f32[3,4], constants @0, 48 B",
        "  t2 'mm': f32[2,4], arena @0, 32 B",
        "  t3 'e': f32[8], arena @256, 32 B",
        "  t4 'total': f32[], arena @512, 4 B",
        "  t5 'step': f32[1], states @0, 4 B",
        "  t6 'one': f32[1], constants @256, 4 B",
        "  t7 'r': f32[8], arena @0, 32 B",
        "  t8 'next': f32[1], states @0, 4 B",
        'kernels:',
        kernel(0, plan.kernels[0].name, 3),
        kernel(1, plan.kernels[1].name, 2),
        kernel(2, plan.kernels[2].name, 2),
        kernel(3, plan.kernels[3].name, 2),
        'steps:',
        "  0: k0 [1,1,1] (t0 t1 t2) matmul 'mm'",
        "  1: k1 [1,1,1] (t2 t3) exp 'e'",
        "  2: k2 [1,1,1] (t2 t4) reduceSum 'total'",
        "  3: k3 [1,1,1] (t5 t6) add 'next'",
        'inputs: x=t0',
        'outputs: e=t3, total=t4',
        'state updates: none',
        'memory: naive 1536 B, arena 768 B, lower bound 768 B',
        'requirements: none',
      ].join('\n'),
    );
  });
});

describe('printAfter', () => {
  it('prints after the named stages and passes only, a pass as often as it runs', () => {
    const printed: string[] = [];
    compile(smallGraph(), { onStage: printAfter(['simplifyAlgebra', 'pack'], (t) => printed.push(t)) });
    expect(printed.map((t) => t.split('\n')[0])).toEqual(["=== after graph pass 'simplifyAlgebra' ===", "=== after graph pass 'simplifyAlgebra' ===", "=== after stage 'pack' ==="]);
    expect(printed[2].split('\n')[1]).toBe('arena 768 B (lower bound 768 B, naive 1536 B), packer greedy-by-size:');
    expect(printed[0]).toMatch(/\ngraph small\(%x: f32\[2,3\]\) \{\n/);
  });

  it("'all' prints after every stage and every pass that ran", () => {
    const printed: string[] = [];
    compile(smallGraph(), { disablePasses: ['foldConstants'], onStage: printAfter(['all'], (t) => printed.push(t)) });
    // Less foldConstants, less fuseAttention (off unless asked for).
    expect(printed).toHaveLength(STAGE_NAMES.length + PIPELINE.length - 2);
  });

  it('an unknown name is a UsageError listing the stages and the passes', () => {
    const attempt = () => printAfter(['partition', 'fuse'], () => {});
    expect(attempt).toThrowError(UsageError);
    expect(attempt).toThrowError(/--print-ir-after: unknown stage or graph pass 'fuse' \(stages: verify, specialize, optimize, .*, assemble; graph passes: inferShapes, .*eliminateDeadCode; or all\)/);
  });
});

describe('options that switch stages off', () => {
  it('fusion off: one group per node', () => {
    const graph = smallGraph();
    const groups = valueAfter<Partitioned>(events(graph, { fusion: false }), 'partition').groups;
    expect(groups.map((g) => g.nodes.length)).toEqual(graph.nodes.map(() => 1));
  });

  it("memorySchedule off: the partition's order is kept", () => {
    // Three big values made before any is reduced (each read twice, so each is a kernel of its own):
    // the memory-aware order reduces each before making the next.
    const b = new GraphBuilder();
    const x = b.input('x', 'f32', [64, 256]);
    const bigs = [1, 2, 3].map((k) => b.op('exp', [b.op('mul', [x, b.op('fill', [], { shape: [1], value: k })])]));
    const reduced = bigs.map((big) => b.op('add', [b.op('reduceSum', [big], { axes: [0, 1] }), b.op('reduceMax', [big], { axes: [0, 1] })]));
    b.output(b.op('add', [b.op('add', [reduced[0], reduced[1]]), reduced[2]]), 'y');
    const on = events(b.graph);
    const off = events(b.graph, { memorySchedule: false });
    const partitioned = ops(valueAfter<Partitioned>(off, 'partition').groups);
    expect(ops(valueAfter<Scheduled>(off, 'schedule').groups)).toEqual(partitioned);
    expect(ops(valueAfter<Scheduled>(on, 'schedule').groups)).not.toEqual(partitioned);
    expect(valueAfter<Scheduled>(on, 'schedule').schedulePeakBytes).toBeLessThan(valueAfter<Scheduled>(off, 'schedule').originalOrderPeakBytes);
  });

  it('inPlace off: no views and no in-place outputs; the state is copied at the end', () => {
    const heard = events(smallGraph(), { inPlace: false });
    expect(valueAfter<Viewed>(heard, 'views').views.size).toBe(0);
    expect(valueAfter<InPlaced>(heard, 'inPlace').aliases.size).toBe(0);
    expect(printedAfter(heard, 'inPlace')).toBe('no outputs in place');
    const { plan } = valueAfter<Assembled>(heard, 'assemble');
    expect(plan.steps).toHaveLength(5);
    expect(plan.stateUpdates).toHaveLength(1);
  });

  it('templates off: the matmul takes the generic path', () => {
    const tiled = valueAfter<Generated>(events(smallGraph()), 'codegen').kernels[0];
    const generic = valueAfter<Generated>(events(smallGraph(), { templates: false }), 'codegen').kernels[0];
    expect(generic.wgsl).not.toBe(tiled.wgsl);
  });

  it('disablePasses skips those passes (every occurrence), all of them, or names an unknown one', () => {
    const passesHeard = (options: CompileOptions) => events(smallGraph(), options).filter((e) => e.kind === 'graph pass').map((e) => e.name);
    expect(passesHeard({ disablePasses: ['simplifyAlgebra'], fuseAttention: true })).toEqual(PIPELINE.map((p) => p.name).filter((n) => n !== 'simplifyAlgebra'));
    expect(passesHeard({})).toEqual(PIPELINE.map((p) => p.name).filter((n) => n !== 'fuseAttention'));
    expect(passesHeard({ disablePasses: 'all' })).toEqual([]);
    expect(() => compile(smallGraph(), { disablePasses: ['simplify'] })).toThrowError(UsageError);
  });

  it('every option set still computes what the reference interpreter does, on the device', async () => {
    const graph = smallGraph();
    const inputs = { x: randomTensor('f32', [2, 3], 7) };
    const expected = interpret(graph, inputs);
    const device = await getDefaultDevice();
    const optionSets: CompileOptions[] = [{}, { fusion: false }, { memorySchedule: false }, { inPlace: false }, { templates: false }, { disablePasses: 'all' }];
    for (const options of optionSets) {
      const label = JSON.stringify(options);
      const exe = await Executable.load(compile(graph, { ...options, limits: device.limits }), device);
      try {
        const got = await exe.run(inputs);
        expectClose(got.e, expected.outputs.e, { rtol: 1e-5, atol: 1e-6 }, label);
        expectClose(got.total, expected.outputs.total, { rtol: 1e-5, atol: 1e-5 }, label);
        expect(Array.from((await exe.readState('step')).data), label).toEqual(Array.from(expected.states.values().next().value!.data));
      } finally {
        exe.dispose();
      }
    }
  });
});
