import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitArtifact } from '../../compiler/artifact/index.js';
import { compile } from '../../compiler/compile.js';
import type { DawnDevice } from '../../runtime/index.js';
import { ArtifactError, getDefaultDevice, loadArtifact } from '../../runtime/index.js';
import { checkArtifactRequirements } from '../../runtime/artifact/requirements.js';
import { randomTensor } from '../helpers/random.js';
import { trainingStepGraph } from './graphs.js';
import { copyArtifact, editJson, rehash, RUNTIME_SOURCE_URL, tempDir } from './helpers.js';

/**
 * Damaged artifacts: each must fail with an ArtifactError whose message names the file or the
 * requirement at fault. Every case damages a fresh copy of one good artifact, and the good one
 * is loaded first, so a failure here is the damage and not the artifact.
 */

let device: DawnDevice;
let good: string;

beforeAll(async () => {
  device = await getDefaultDevice();
  good = await tempDir('good');
  await emitArtifact(compile(trainingStepGraph(), { limits: device.limits }), good, { runtimeImport: RUNTIME_SOURCE_URL });
});

async function expectRejected(dir: string, message: RegExp): Promise<void> {
  const error = await loadArtifact(dir, { device }).then(
    (a) => {
      a.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error, 'the damaged artifact loaded').toBeInstanceOf(ArtifactError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain('\n');
}

/** Offset of the data section in a safetensors file. */
async function dataStart(path: string): Promise<number> {
  const bytes = await readFile(path);
  return 8 + Number(bytes.readBigUInt64LE(0));
}

describe('artifact: damage is reported by file and requirement', () => {
  it('loads the undamaged artifact', async () => {
    const a = await loadArtifact(good, { device });
    expect(a.outputs.map((o) => o.name)).toEqual(['loss']);
    a.dispose();
  });

  it('a corrupted weight byte fails the checksum of weights.safetensors', async () => {
    const dir = await copyArtifact(good, 'flip');
    const path = join(dir, 'weights.safetensors');
    const bytes = await readFile(path);
    bytes[(await dataStart(path)) + 5] ^= 0x40;
    await writeFile(path, bytes);
    await expectRejected(dir, /^weights\.safetensors: SHA-256 .* does not match manifest\.json/);
  });

  it('a truncated plan.json fails by size, and if re-hashed, by parse', async () => {
    const dir = await copyArtifact(good, 'trunc-plan');
    const size = (await readFile(join(dir, 'plan.json'))).length;
    await truncate(join(dir, 'plan.json'), Math.floor(size / 2));
    await expectRejected(dir, /^plan\.json: \d+ bytes where manifest\.json records \d+ \(truncated or modified\)/);
    await rehash(dir, 'plan.json');
    await expectRejected(dir, /^plan\.json: not valid JSON/);
  });

  it('a truncated weights file, re-hashed, names the file and the tensor cut short', async () => {
    const dir = await copyArtifact(good, 'trunc-weights');
    const path = join(dir, 'weights.safetensors');
    await truncate(path, (await readFile(path)).length - 3);
    await rehash(dir, 'weights.safetensors');
    await expectRejected(dir, /^weights\.safetensors: tensor '[^']+': its bytes \[\d+, \d+\) run past the data section's \d+ bytes \(truncated\?\)/);
  });

  it('a bumped format version names the version and the file', async () => {
    const manifestBump = await copyArtifact(good, 'bump-manifest');
    await editJson(join(manifestBump, 'manifest.json'), (m) => (m.version = 2));
    await expectRejected(manifestBump, /^manifest\.json: artifact format version 2 is newer than this runtime reads \(1\)/);

    const planBump = await copyArtifact(good, 'bump-plan');
    await editJson(join(planBump, 'plan.json'), (p) => (p.version = 7));
    await rehash(planBump, 'plan.json');
    await expectRejected(planBump, /^plan\.json: version 7: plan format version 7 is newer than this runtime reads \(2\)/);
  });

  it('a missing file is named, the manifest included', async () => {
    const dir = await copyArtifact(good, 'missing');
    const kernel = (await readdir(join(dir, 'kernels')))[0];
    await rm(join(dir, 'kernels', kernel));
    await expectRejected(dir, new RegExp(`missing file 'kernels/${kernel.replace('.', '\\.')}' listed in manifest\\.json`));

    const noManifest = await copyArtifact(good, 'no-manifest');
    await rm(join(noManifest, 'manifest.json'));
    await expectRejected(noManifest, /missing manifest\.json/);

    const noWeight = await copyArtifact(good, 'no-weight');
    await editJson(join(noWeight, 'plan.json'), (p) => ((p.states as { weight?: string }[])[0].weight = 'renamed'));
    await rehash(noWeight, 'plan.json');
    await expectRejected(noWeight, /^weights\.safetensors: tensor 'w' names no constant or state of the artifact/);
  });

  it('a plan requiring an unknown feature or too large a limit names the requirement', async () => {
    const feature = await copyArtifact(good, 'feature');
    await editJson(join(feature, 'plan.json'), (p) => (p.requirements as { features: string[] }).features.push('quantum-entanglement'));
    await rehash(feature, 'plan.json');
    await expectRejected(feature, /^plan\.json: the artifact requires the feature 'quantum-entanglement', which the device \(.*\) lacks/);

    const limit = await copyArtifact(good, 'limit');
    await editJson(join(limit, 'plan.json'), (p) => ((p.requirements as { limits: Record<string, number> }).limits.maxBufferSize = 2 ** 52));
    await rehash(limit, 'plan.json');
    await expectRejected(limit, /^plan\.json: the artifact requires the limit maxBufferSize >= 4503599627370496, but the device .* has \d+/);
  });

  it('judges alignments as at-most limits and unknown limits as missing', () => {
    const caps = { features: new Set<string>(), limits: { minStorageBufferOffsetAlignment: 256, maxBufferSize: 100 }, adapterDescription: 'test' };
    expect(() => checkArtifactRequirements({ features: [], limits: { minStorageBufferOffsetAlignment: 256, maxBufferSize: 100 } }, caps)).not.toThrow();
    expect(() => checkArtifactRequirements({ features: [], limits: { minStorageBufferOffsetAlignment: 64 } }, caps)).toThrow(/minStorageBufferOffsetAlignment <= 64, but the device \(test\) has 256/);
    expect(() => checkArtifactRequirements({ features: [], limits: { maxWarpDrive: 1 } }, caps)).toThrow(/maxWarpDrive = 1, which the device \(test\) does not report/);
  });

  it('a malformed plan field is named by its path', async () => {
    const dir = await copyArtifact(good, 'field');
    await editJson(join(dir, 'plan.json'), (p) => ((p.tensors as { shape: unknown }[])[2].shape = 'big'));
    await rehash(dir, 'plan.json');
    await expectRejected(dir, /^plan\.json: tensors\[2\]\.shape is not a list/);
  });

  it('a weights file whose dtype disagrees with the plan names both', async () => {
    const dir = await copyArtifact(good, 'dtype');
    const { writeSafetensors, readSafetensors } = await import('../../runtime/index.js');
    const weights = (await readSafetensors(join(dir, 'weights.safetensors'))).tensors;
    weights.set('b', randomTensor('i32', [2], 1));
    await writeSafetensors(join(dir, 'weights.safetensors'), weights);
    await rehash(dir, 'weights.safetensors');
    await expectRejected(dir, /^weights\.safetensors: tensor 'b' is i32\[2\], but the artifact's state 'b' is f32\[2\]/);
  });
});
