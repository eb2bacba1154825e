import { readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../../bin/browser/session.js';
import { emitArtifact } from '../../compiler/artifact/index.js';
import { compile, DEFAULT_LIMITS, type TargetLimits } from '../../compiler/compile.js';
import type { HostTensor } from '../../ir/index.js';
import { ArtifactError } from '../../ir/index.js';
import { loadArtifact } from '../../runtime/index.js';
import { interpret } from '../../targets/reference/interpreter.js';
import { copyArtifact, tempDir } from '../artifact/helpers.js';
import { mlpGraph } from '../artifact/graphs.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { chromiumAvailable } from './chromium.js';
import { browserCases } from './models.js';

/** Dawn on lavapipe compiles each pipeline on the machine's few shared cores: a model's first Node run can take tens of seconds. */
const MODEL_TIMEOUT_MS = 600_000;

/**
 * Artifacts compiled with the default limits (WebGPU's guaranteed ones) run in headless
 * Chromium (its SwiftShader adapter here) through the browser bundle, and give what Node gives
 * on Dawn (within 1e-5 relative) and what the reference interpreter gives; bad artifacts are
 * refused in the page with the typed error Node would throw, shown on the page too.
 * One browser for the whole file.
 */

const maxAbs = (t: HostTensor) => Array.from(t.data as ArrayLike<number>).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Relative tolerance against the tensor's own scale, so values near zero after cancellation do not count as relative misses. */
function expectWithin(actual: HostTensor, expected: HostTensor, rtol: number, label: string): void {
  expectClose(actual, expected, { rtol, atol: rtol * Math.max(maxAbs(expected), 1e-30) }, label);
}

async function emit(graph: Parameters<typeof compile>[0], label: string, limits: TargetLimits = DEFAULT_LIMITS): Promise<string> {
  const dir = await tempDir(`browser-${label}`);
  await emitArtifact(compile(graph, { limits }), dir, { compiledFor: { ...limits } });
  return dir;
}

// Skipped only outside CI where no Chromium is installed (chromiumAvailable says why); under
// CI=true a missing Chromium throws, failing the run: the set-up script installs it.
describe.skipIf(!chromiumAvailable())('artifacts in headless Chromium', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await BrowserSession.open();
  });
  afterAll(async () => {
    await session?.close();
  });

  it.each(browserCases().map((c) => [c.name, c] as const))('%s: outputs equal Node on Dawn (1e-5 relative) and the reference interpreter', async (name, c) => {
    const dir = await emit(c.graph, name);
    const node = await loadArtifact(dir);
    let inNode: Record<string, HostTensor>;
    try {
      inNode = await node.run(c.inputs);
    } finally {
      node.dispose();
    }
    const { outputs: inBrowser, adapter } = await session.run(dir, c.inputs);
    const reference = interpret(c.graph, c.inputs).outputs;
    expect(Object.keys(inBrowser).sort()).toEqual(Object.keys(inNode).sort());
    for (const [output, expected] of Object.entries(inNode)) {
      expectWithin(inBrowser[output], expected, 1e-5, `${name}/${output} browser (${adapter}) vs Node`);
      expectWithin(inBrowser[output], reference[output], 1e-4, `${name}/${output} browser vs reference`);
      expect(maxAbs(expected), `${name}/${output} is not all zeros`).toBeGreaterThan(0);
    }
    expect(await session.status()).toContain(`on ${adapter}`);
  }, MODEL_TIMEOUT_MS);

  it("runs an artifact through its typed module (model.js importing 'dawnflow/runtime' through the page's import map)", async () => {
    const dir = await emit(mlpGraph(), 'typed');
    const inputs = { x: randomTensor('f32', [5, 8], 21) };
    const direct = await session.run(dir, inputs);
    const typed = await session.run(dir, inputs, { typedModule: true });
    expect(typed.outputs).toEqual(direct.outputs);
    expectWithin(typed.outputs.logits, interpret(mlpGraph(), inputs).outputs.logits, 1e-4, 'typed module vs reference');
  });

  describe('bad input: a typed error, on the page and to the caller', () => {
    let good: string;
    beforeAll(async () => {
      good = await emit(mlpGraph(), 'bad-input');
    });
    const inputs = { x: randomTensor('f32', [5, 8], 22) };

    async function expectRefused(dir: string, message: RegExp): Promise<void> {
      const refused = await session.run(dir, inputs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ArtifactError);
      expect((refused as Error).message).toMatch(message);
      const status = await session.status();
      expect(status).toMatch(/^ArtifactError \[ARTIFACT\]: /);
      expect(status).toContain((refused as Error).message);
      expect(await session.page.evaluate('document.body.dataset.state')).toBe('error');
    }

    it('a missing file: named, with the HTTP status', async () => {
      const dir = await copyArtifact(good, 'missing');
      const kernel = (await readdir(join(dir, 'kernels')))[0];
      await rm(join(dir, 'kernels', kernel));
      await expectRefused(dir, new RegExp(`missing file 'kernels/${kernel}' listed in manifest\\.json \\(HTTP 404`));
    });

    it('a corrupted weight byte: the SHA-256 check names the file', async () => {
      const dir = await copyArtifact(good, 'corrupt');
      const path = join(dir, 'weights.safetensors');
      const bytes = await readFile(path);
      bytes[bytes.length - 3] ^= 0x10;
      await writeFile(path, bytes);
      await expectRefused(dir, /^weights\.safetensors: SHA-256 [0-9a-f]{16}… does not match manifest\.json's/);
    });

    it('a limit the adapter lacks: kernels compiled for 8-lane subgroups refused where subgroups have 4 lanes', async () => {
      // What `compile --device-limits` gives on lavapipe (subgroups of 8): SwiftShader's are 4.
      const dir = await emit(mlpGraph(), 'subgroups', { ...DEFAULT_LIMITS, subgroupMinSize: 8 });
      const plan = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as { requirements: { features: string[]; limits: Record<string, number> } };
      expect(plan.requirements.features).toContain('subgroups');
      expect(plan.requirements.limits.subgroupMinSize).toBe(8);
      await expectRefused(dir, /requires the limit subgroupMinSize >= 8, but the device \(google \/ swiftshader.*\) has 4/);
    });

    it('a page asked for a directory that is not an artifact: no manifest', async () => {
      await expectRefused(await tempDir('empty'), /missing manifest\.json \(HTTP 404 Not Found\); is this an artifact directory/);
    });

    it('after refusals the page still runs a good artifact, and logged no console errors of its own', async () => {
      const { outputs } = await session.run(good, inputs);
      expectWithin(outputs.logits, interpret(mlpGraph(), inputs).outputs.logits, 1e-4, 'after errors');
      // The 404s the missing-file cases asked for are the only console errors.
      expect(session.consoleErrors.filter((e) => !e.includes('404'))).toEqual([]);
    });
  });
});
