import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chromium, launchChromium } from '../../bin/browser/chromium.js';
import { main } from '../../bin/cli.js';
import type { CliIO } from '../../bin/io.js';
import type { PlanSummary } from '../../compiler/report/plan_report.js';
import { encodeNpy } from '../../runtime/io/npy.js';
import { tempDir } from '../artifact/helpers.js';
import { randomTensor } from '../helpers/random.js';
import { chromiumAvailable } from './chromium.js';
import { onnxCnn } from './models.js';

/**
 * The inspector page in headless Chromium: opened from disk with every request outside the file
 * refused (it must need none), no console errors, the kernel count and memory numbers that
 * `inspect --json` reports, search that filters, a profile's rows; screenshots for a person to
 * look at go to test-output/ (or $DAWNFLOW_TEST_OUTPUT). One browser for the file.
 */

const SCREENSHOTS = resolve(process.env.DAWNFLOW_TEST_OUTPUT ?? 'test-output');

function capture(): CliIO & { out: string[] } {
  const out: string[] = [];
  return { out, print: (line) => out.push(line), info: () => undefined };
}

async function cli(args: string[]): Promise<string> {
  const io = capture();
  expect(await main(args, io), `dawnflow ${args.join(' ')}`).toBe(0);
  return io.out.join('\n');
}

interface OpenedPage {
  readonly page: Page;
  readonly errors: string[];
  readonly refused: string[];
}

// Skipped only outside CI where no Chromium is installed (chromiumAvailable says why); under
// CI=true a missing Chromium throws, failing the run: the set-up script installs it.
describe.skipIf(!chromiumAvailable())('the inspector page in Chromium', () => {
  let chromium: Chromium;
  let dir: string;
  let model: string;
  let summary: PlanSummary;
  let profiledSteps: number;

  beforeAll(async () => {
    chromium = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
    dir = await tempDir('inspector');
    model = join(dir, 'cnn.onnx');
    await writeFile(model, onnxCnn());
    await writeFile(join(dir, 'image.npy'), encodeNpy(randomTensor('f32', [2, 3, 12, 12], 51)));
    summary = JSON.parse(await cli(['inspect', model, '--json'])) as PlanSummary;
    const run = JSON.parse(await cli(['run', model, '--input', `image=${join(dir, 'image.npy')}`, '--out', join(dir, 'out'), '--profile', '--json'])) as { profile: { steps: unknown[] } };
    profiledSteps = run.profile.steps.length;
    await writeFile(join(dir, 'profile.json'), JSON.stringify(run));
  });
  afterAll(async () => {
    await chromium?.close();
  });

  async function open(file: string): Promise<OpenedPage> {
    const page = await chromium.browser.newPage();
    const errors: string[] = [];
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    const url = pathToFileURL(file).href;
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.url() === url) void request.continue();
      else {
        refused.push(request.url());
        void request.abort();
      }
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction("document.body.dataset.ready === 'true'");
    return { page, errors, refused };
  }

  const facts = (page: Page) =>
    page.evaluate("Object.fromEntries([...document.querySelectorAll('.facts [data-fact]')].map((e) => [e.dataset.fact, e.dataset.value === '' ? null : Number(e.dataset.value)]))") as Promise<Record<string, number | null>>;

  it('a model with a profile: the numbers of inspect --json, every kernel, search, device times; no network, no console errors', async () => {
    const file = join(dir, 'cnn.html');
    expect(await cli(['inspect', model, '--html', file, '--profile', join(dir, 'profile.json'), '--peak-gflops', '50'])).toMatch(/^wrote .*cnn\.html: \d+ kernels/);
    const { page, errors, refused } = await open(file);
    try {
      expect(await facts(page)).toMatchObject({
        kernels: summary.kernels,
        kernelsUnfused: summary.kernelsUnfused,
        naiveBytes: summary.memory.naiveBytes,
        arenaBytes: summary.memory.arenaBytes,
        lowerBoundBytes: summary.memory.lowerBoundBytes,
        schedulePeakBytes: summary.schedulePeakBytes,
      });
      const text = (await page.evaluate('document.body.innerText')) as string;
      expect(text).toContain(`kernels (after fusion)\n${summary.kernels}`);
      expect(await page.evaluate("document.querySelectorAll('details.step').length")).toBe(summary.kernels);
      // Each step lists the ops inspect --json groups into it, and its WGSL.
      const stepOps = (await page.evaluate("[...document.querySelectorAll('details.step')].map((d) => [...d.querySelector('summary').querySelectorAll('.tag')].map((t) => t.textContent))")) as string[][];
      expect(stepOps).toEqual(summary.groups.map((g) => g.ops));
      expect(await page.evaluate("[...document.querySelectorAll('details.step pre code')].every((c) => c.textContent.includes('@compute'))")).toBe(true);
      expect(await page.evaluate("document.querySelectorAll('#graph-before tr.searchable').length")).toBeGreaterThan(await page.evaluate("document.querySelectorAll('#graph-after tr.searchable').length") as number);
      expect(await page.evaluate("document.querySelectorAll('#memory-timeline rect.block').length")).toBeGreaterThan(0);

      // Search: typing an op hides the kernels that neither hold it nor name it, keeps those that do.
      await page.type('#search', 'maxPool');
      const visible = (await page.evaluate("[...document.querySelectorAll('details.step')].map((d) => !d.classList.contains('hidden'))")) as boolean[];
      const texts = (await page.evaluate("[...document.querySelectorAll('details.step')].map((d) => d.textContent.toLowerCase())")) as string[];
      summary.groups.forEach((g, i) => {
        if (g.ops.includes('maxPool')) expect(visible[i], `step ${i} holds maxPool`).toBe(true);
        expect(visible[i], `step ${i}`).toBe(texts[i].includes('maxpool'));
      });
      expect(visible.filter((v) => !v).length).toBeGreaterThan(0);
      await page.evaluate("document.getElementById('search').value = ''; document.getElementById('search').dispatchEvent(new Event('input'))");

      // The profile: one row per profiled step, all matched to this page's kernels, with % of peak.
      expect(await page.evaluate("document.querySelectorAll('#profile tr[data-profile-step]').length")).toBe(profiledSteps);
      expect(text).toMatch(new RegExp(`${profiledSteps} of them matched`));
      expect(await page.evaluate("[...document.querySelectorAll('#profile tr[data-profile-step]')].some((r) => /%$/.test(r.children[6].textContent))")).toBe(true);

      await page.evaluate("document.getElementById('expand-all').click()");
      expect(await page.evaluate("[...document.querySelectorAll('details')].every((d) => d.open)")).toBe(true);
      await page.evaluate("document.getElementById('collapse-all').click(); document.querySelector('#graph-after details').open = true; document.querySelector('details.step').open = true");
      await page.screenshot({ path: join(SCREENSHOTS, 'inspector-model.png'), fullPage: true });
      expect((await readFile(join(SCREENSHOTS, 'inspector-model.png'))).length).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('an artifact of the same model: its plan gives the same numbers; the graph is said to be absent', async () => {
    const artifact = join(dir, 'artifact');
    await cli(['compile', model, '-o', artifact]);
    const file = join(dir, 'artifact.html');
    await cli(['inspect', artifact, '--html', file]);
    const { page, errors, refused } = await open(file);
    try {
      expect(await facts(page)).toMatchObject({
        kernels: summary.kernels,
        kernelsUnfused: null,
        naiveBytes: summary.memory.naiveBytes,
        arenaBytes: summary.memory.arenaBytes,
        lowerBoundBytes: summary.memory.lowerBoundBytes,
      });
      expect(await page.evaluate("document.querySelector('#graph-before').innerText")).toMatch(/An artifact keeps the compiled plan, not the graph/);
      expect(await page.evaluate("document.querySelectorAll('details.step').length")).toBe(summary.kernels);
      await page.screenshot({ path: join(SCREENSHOTS, 'inspector-artifact.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(refused).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
