import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIGHT_MODELS, LIGHT_MODELS_DIR } from '../../bench/models/light_models.js';
import { emitArtifact } from '../../compiler/artifact/index.js';
import { staticShape } from '../../ir/index.js';
import { compileModelFile } from '../../bin/model_file.js';
import type { HostTensor } from '../../runtime/index.js';
import { Executable, getDefaultDevice, loadArtifact } from '../../runtime/index.js';
import { randomTensor } from '../helpers/random.js';
import { RUNTIME_SOURCE_URL, tempDir } from './helpers.js';

/**
 * Whole ONNX models through an artifact: the plan `dawnflow compile` builds, run in process,
 * and the same plan written to disk and loaded back, must give bit-identical outputs. Covers
 * real weights (squeezenet's 5 MB), int inputs, and output names that are not identifiers.
 */

const CONVERTED = '/usr/share/libonnx-testdata/data/pytorch-converted';
const MODELS = [
  join(LIGHT_MODELS_DIR, LIGHT_MODELS.squeezenet.file),
  `${CONVERTED}/test_Conv2d_groups/model.onnx`,
  `${CONVERTED}/test_BatchNorm2d_eval/model.onnx`,
  `${CONVERTED}/test_MaxPool2d/model.onnx`,
  `${CONVERTED}/test_Embedding/model.onnx`,
  `${CONVERTED}/test_PReLU_2d_multiparam/model.onnx`,
];

describe('artifact: whole ONNX models', () => {
  it.each(MODELS)('%s: artifact outputs equal the in-process plan exactly', async (path) => {
    const device = await getDefaultDevice();
    const { plan } = await compileModelFile(path, { limits: device.limits });
    const inputs: Record<string, HostTensor> = {};
    plan.inputs.forEach((io, i) => {
      const t = plan.tensors[io.tensor];
      const shape = staticShape(t.shape, `input '${io.name}'`);
      // Integer inputs are indices: keep them small enough for any table.
      inputs[io.name] = t.dtype === 'f32' ? randomTensor('f32', shape, 100 + i) : randomTensor(t.dtype, shape, 100 + i, 0, 1);
    });

    const exe = await Executable.load(plan, device);
    let expected: Record<string, HostTensor>;
    try {
      expected = await exe.run(inputs);
    } finally {
      exe.dispose();
    }
    const dir = await tempDir('onnx-model');
    await emitArtifact(plan, dir, { runtimeImport: RUNTIME_SOURCE_URL, compiledFor: device.limits });
    const artifact = await loadArtifact(dir, device);
    try {
      expect(await artifact.run(inputs)).toEqual(expected);
    } finally {
      artifact.dispose();
    }
  });
});
