import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import type { CliIO } from '../../bin/io.js';
import type { Inspection } from '../../toolchain/inspector/inspection.js';
import type { PlanSummary } from '../../compiler/report/plan_report.js';
import { InputError } from '../../ir/index.js';
import { parseProfile } from '../../runtime/profile_file.js';
import { writeCurves } from '../../runtime/training/index.js';
import { tempDir } from '../artifact/helpers.js';

/**
 * The pages without a browser: what an inspector page and a curves page contain (their
 * embedded data and their references), the memory timeline against the planner's own
 * promise (no two live tensors share bytes), and the typed errors of bad inputs.
 */

const MODULE = 'test/report/fixtures/transformer_module.ts';

function capture(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, print: (line) => out.push(line), info: (line) => err.push(line) };
}

function pageData<T>(html: string): T {
  const json = /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(html);
  expect(json, 'embedded data').not.toBeNull();
  return JSON.parse(json![1]) as T;
}

/** Self-contained: no src/href to anything but data: URIs and in-page anchors, no CSS imports or url(). */
function expectSelfContained(html: string): void {
  const references = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]).filter((r) => !r.startsWith('data:') && !r.startsWith('#'));
  expect(references).toEqual([]);
  expect(html).not.toMatch(/@import|url\(\s*['"]?(?!data:|#)/);
}

describe('inspect --html on a DSL module', () => {
  it('embeds the numbers of inspect --json compiled alike, both graphs, and a timeline where no two live tensors overlap', async () => {
    const dir = await tempDir('inspect-module');
    const page = join(dir, 'module.html');
    expect(await main(['inspect', MODULE, '--html', page], capture())).toBe(0);
    const html = await readFile(page, 'utf8');
    expectSelfContained(html);
    const { inspection } = pageData<{ inspection: Inspection }>(html);
    expect(inspection.source.kind).toBe('module');
    expect(inspection.graphs.before!.nodes.length).toBeGreaterThan(inspection.graphs.after!.nodes.length); // GELU, softmax, LayerNorm recognized
    expect(inspection.graphs.after!.nodes.map((n) => n.op)).toEqual(expect.arrayContaining(['layerNorm', 'softmax']));
    expect(inspection.steps.length).toBe(inspection.summary.kernels);
    expect(inspection.steps.every((s) => s.members !== undefined && s.members.length > 0)).toBe(true);
    // The matmuls' FLOPs: 8x16 @ 16x16 three times (q, k, v) among them.
    expect(inspection.steps.reduce((f, s) => f + (s.flops ?? 0), 0)).toBeGreaterThanOrEqual(3 * 2 * 8 * 16 * 16);

    // No two blocks live at the same step share a byte of the arena, and all fit in it; the
    // arena does reuse offsets over time (else the check would be trivial).
    const blocks = inspection.memory.blocks;
    expect(new Set(blocks.map((b) => b.offset)).size).toBeLessThan(blocks.length);
    for (const a of blocks) {
      expect(a.offset + a.bytes).toBeLessThanOrEqual(inspection.summary.memory.arenaBytes);
      for (const b of blocks) {
        if (a === b || a.end < b.start || b.end < a.start) continue;
        expect(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset, `${a.name} and ${b.name} overlap while both live`).toBe(true);
      }
    }
    expect(Math.max(...inspection.summary.liveBytesPerStep)).toBeLessThanOrEqual(inspection.summary.memory.arenaBytes);
  });

  it("an ONNX model's page holds the summary inspect --json prints", async () => {
    const dir = await tempDir('inspect-onnx');
    const { writeFile } = await import('node:fs/promises');
    const { onnxCnn } = await import('../browser/models.js');
    const model = join(dir, 'cnn.onnx');
    await writeFile(model, onnxCnn());
    const json = capture();
    expect(await main(['inspect', model, '--json'], json)).toBe(0);
    const summary = JSON.parse(json.out.join('')) as PlanSummary;
    expect(await main(['inspect', model, '--html', join(dir, 'cnn.html')], capture())).toBe(0);
    const { inspection } = pageData<{ inspection: Inspection }>(await readFile(join(dir, 'cnn.html'), 'utf8'));
    const { groups: _groups, ...numbers } = summary;
    expect(inspection.summary).toEqual(numbers);
  });
});

describe('bad input to the pages', () => {
  it('profiles that are not profiles are InputErrors naming the file', () => {
    expect(() => parseProfile('{', 'p.json')).toThrow(InputError);
    expect(() => parseProfile('{"outputs": {}}', 'p.json')).toThrow(/profile 'p\.json': format undefined is not 'dawnflow-profile'/);
    expect(() => parseProfile(JSON.stringify({ format: 'dawnflow-profile', version: 1, steps: [{ step: 0, kernel: 'k', label: 'l', ms: -1 }] }), 'p.json')).toThrow(/steps\[0\] is not \{step, kernel, label, ms >= 0\}/);
    expect(parseProfile(JSON.stringify({ outputs: {}, profile: { format: 'dawnflow-profile', version: 1, plan: 'p', adapter: 'a', steps: [] } }), 'p.json').plan).toBe('p');
  });

  it('--profile without --html and a bad --peak-gflops are usage errors; a missing profile file an input error', async () => {
    const io = capture();
    expect(await main(['inspect', MODULE, '--profile', 'p.json'], io)).toBe(2);
    expect(io.err.join('\n')).toMatch(/^dawnflow: USAGE: inspect: --profile and --peak-gflops go with --html <file>/);
    const bad = capture();
    expect(await main(['inspect', MODULE, '--html', '/tmp/x.html', '--peak-gflops', 'fast'], bad)).toBe(2);
    expect(bad.err.join('\n')).toMatch(/--peak-gflops fast is not a positive number/);
    const missing = capture();
    expect(await main(['inspect', MODULE, '--html', '/tmp/x.html', '--profile', '/nonexistent/p.json'], missing)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/^dawnflow: INPUT: cannot read profile '\/nonexistent\/p\.json': no such file/);
  });
});

describe('training curves as a page', () => {
  it('fit writes an .html curves path as a self-contained page with every epoch', async () => {
    const history = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.5 + epoch / 10, valLoss: 1.2 / epoch, seconds: 1, examplesPerSecond: 100 * epoch }));
    const dir = await tempDir('curves');
    await writeCurves(join(dir, 'run.html'), history, 'demo');
    await writeCurves(join(dir, 'run.svg'), history, 'demo');
    const html = await readFile(join(dir, 'run.html'), 'utf8');
    expectSelfContained(html);
    expect(pageData<{ history: unknown }>(html).history).toEqual(history);
    expect([...html.matchAll(/<tr><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3]);
    expect(html).toContain(await readFile(join(dir, 'run.svg'), 'utf8').then((svg) => svg.trim()));
  });
});
