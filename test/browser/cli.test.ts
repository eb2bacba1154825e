import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.js';
import type { CliIO } from '../../bin/io.js';
import { readNpy, encodeNpy } from '../../runtime/io/npy.js';
import { tempDir } from '../artifact/helpers.js';
import { expectClose } from '../helpers/compare.js';
import { randomTensor } from '../helpers/random.js';
import { chromiumAvailable } from './chromium.js';
import { onnxCnn } from './models.js';

/**
 * `dawnflow run <artifact> --browser` through the CLI's main(): the same files as `run
 * <artifact>` on Dawn (names, element types, values within 1e-5 relative). One browser launch.
 */

function capture(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, print: (line) => out.push(line), info: (line) => err.push(line) };
}

// Skipped only outside CI where no Chromium is installed (chromiumAvailable says why); under
// CI=true a missing Chromium throws, failing the run: the set-up script installs it.
describe.skipIf(!chromiumAvailable())('dawnflow run --browser', () => {
  it('compiles an ONNX model, runs the artifact in Chromium and on Dawn, and writes the same .npy files', async () => {
    const dir = await tempDir('cli-browser');
    const model = join(dir, 'cnn.onnx');
    await writeFile(model, onnxCnn());
    const artifact = join(dir, 'artifact');
    expect(await main(['compile', model, '-o', artifact], capture())).toBe(0);
    await writeFile(join(dir, 'image.npy'), encodeNpy(randomTensor('f32', [2, 3, 12, 12], 41)));
    const input = `image=${join(dir, 'image.npy')}`;

    const dawn = capture();
    expect(await main(['run', artifact, '--input', input, '--out', join(dir, 'dawn')], dawn)).toBe(0);
    const browser = capture();
    const code = await main(['run', artifact, '--browser', '--input', input, '--out', join(dir, 'browser')], browser);
    expect(browser.err.join('\n'), 'stderr').toMatch(/ran in headless Chromium on \S+/);
    expect(code).toBe(0);
    expect(browser.out).toEqual(dawn.out.map((line) => line.replace(join(dir, 'dawn'), join(dir, 'browser'))));

    const [fromDawn, fromBrowser] = await Promise.all([join(dir, 'dawn', 'probs.npy'), join(dir, 'browser', 'probs.npy')].map(async (p) => readNpy(await readFile(p))));
    const scale = Math.max(...Array.from(fromDawn.data as Float32Array, Math.abs));
    expectClose(fromBrowser, fromDawn, { rtol: 1e-5, atol: 1e-5 * scale }, 'probs');
  });

  it('refuses a model file: --browser runs compiled artifacts (a usage error, no browser launched)', async () => {
    const io = capture();
    expect(await main(['run', 'model.onnx', '--browser', '--out', '/tmp/unused'], io)).toBe(2);
    expect(io.err.join('\n')).toMatch(/^dawnflow: USAGE: run --browser runs a compiled artifact directory; 'model\.onnx' is a model file/);
  });
});
