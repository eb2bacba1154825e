import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildRuntimeBundle, bridgeBundle, runtimeBundle } from '../../bin/browser/bundle.js';
import { LocalServer } from '../../bin/browser/server.js';
import { emitArtifact } from '../../compiler/artifact/index.js';
import { compile, DEFAULT_LIMITS } from '../../compiler/compile.js';
import { ArtifactError } from '../../ir/index.js';
import { loadArtifact as loadFromUrl } from '../../runtime/browser/load.js';
import { loadArtifact } from '../../runtime/index.js';
import { mlpGraph } from '../artifact/graphs.js';
import { copyArtifact, tempDir } from '../artifact/helpers.js';
import { randomTensor } from '../helpers/random.js';

/**
 * The browser runtime without a browser: the bundle builds, reaches nothing of Node, and its
 * fetch path (the same loadArtifact the bundle exports, run here on Node's fetch and Dawn)
 * loads an artifact exactly as reading it from disk does.
 */

describe('the browser bundle', () => {
  it('builds to one ES module exporting the runtime API, with navigator.gpu in place of Dawn', async () => {
    const code = await runtimeBundle();
    for (const name of ['loadArtifact', 'LoadedArtifact', 'Executable', 'getDefaultDevice', 'ArtifactError', 'decodeSafetensors', 'hostTensor']) {
      expect(code, name).toMatch(new RegExp(`as ${name}\\b|\\b${name} as ${name}\\b|export\\s*\\{[^}]*\\b${name}\\b`));
    }
    expect(code).toContain('navigator');
    expect(code).not.toMatch(/from\s*["'](node:|webgpu)/);
    expect(code).not.toContain('disable-dawn-features');
    const gzipped = gzipSync(code).length;
    console.info(`browser runtime bundle: ${code.length} bytes minified, ${gzipped} gzipped`);
    // The point of the artifact format: the runtime alone, tens of kilobytes, no WebAssembly.
    expect(code.length).toBeLessThan(200_000);
  });

  it("fails the build when the browser entry reaches a Node built-in, naming the importer", async () => {
    // The Node entry reads artifacts from disk: the same rules must refuse it.
    await expect(buildRuntimeBundle({ entry: 'runtime/index.ts' })).rejects.toThrow(/runtime\/artifact\/directory_source\.ts imports the Node built-in 'node:fs\/promises'/);
  });

  it('builds the page bridge importing the runtime as dawnflow/runtime, not a second copy of it', async () => {
    const code = await bridgeBundle();
    expect(code).toMatch(/from\s*["']dawnflow\/runtime["']/);
    expect(code.length).toBeLessThan(10_000);
  });
});

describe('loading over fetch (the browser loader, run on Node)', () => {
  it('gives bit-identical outputs to loading the directory, and refuses a damaged copy alike', async () => {
    const dir = await tempDir('fetch');
    await emitArtifact(compile(mlpGraph(), { limits: DEFAULT_LIMITS }), dir, { compiledFor: { ...DEFAULT_LIMITS } });
    const server = await LocalServer.start();
    try {
      const inputs = { x: randomTensor('f32', [5, 8], 31) };
      const fromDisk = await loadArtifact(dir);
      const fromUrl = await loadFromUrl(server.mount('a', dir));
      try {
        expect(fromUrl.dir).toBe(`${server.origin}/a/`);
        expect(await fromUrl.run(inputs)).toEqual(await fromDisk.run(inputs));
        await expect(fromUrl.exportStates('/tmp/x.safetensors')).rejects.toThrow(/a web page cannot; use stateWeights\(\)/);
      } finally {
        fromDisk.dispose();
        fromUrl.dispose();
      }
      const damaged = await copyArtifact(dir, 'fetch-damaged');
      const { writeFile, readFile } = await import('node:fs/promises');
      const plan = `${damaged}/plan.json`;
      await writeFile(plan, (await readFile(plan, 'utf8')).replace('"mlp"', '"mlq"'));
      const [onDisk, overHttp] = await Promise.all([loadArtifact(damaged).catch((e: unknown) => e), loadFromUrl(server.mount('b', damaged)).catch((e: unknown) => e)]);
      expect(overHttp).toBeInstanceOf(ArtifactError);
      expect((overHttp as Error).message).toBe((onDisk as Error).message);
      await expect(loadFromUrl(`${server.origin}/nowhere/`)).rejects.toThrow(/\/nowhere\/: missing manifest\.json \(HTTP 404 Not Found\)/);
    } finally {
      await server.close();
    }
  });
});
