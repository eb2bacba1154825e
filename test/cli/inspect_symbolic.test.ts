import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCommand } from '../../bin/commands/compile.js';
import { inspectCommand } from '../../bin/commands/inspect.js';
import { UsageError } from '../../ir/index.js';
import { dynamicSqueezenetModel } from '../../bench/models/dynamic_models.js';
import { LIGHT_MODELS_DIR } from '../../bench/models/light_models.js';

/** `inspect --plan` of a model with dynamic dims: the formulas, and their values at --at. */

const dir = mkdtempSync(join(tmpdir(), 'dawnflow-inspect-symbolic-'));
const MODEL = join(dir, 'squeezenet_hw.onnx');
writeFileSync(MODEL, dynamicSqueezenetModel(LIGHT_MODELS_DIR));

function capture() {
  const lines: string[] = [];
  return { io: { print: (l: string) => lines.push(...l.split('\n')), info: () => {} }, lines };
}

describe('inspect --plan of a symbolic plan', () => {
  it('shows shapes and arena buffers as formulas of H and W, with their values at the sizes given', async () => {
    const { io, lines } = capture();
    await inspectCommand([MODEL, '--plan', '--at', 'H=160', '--at', 'W=96'], io);
    const text = lines.join('\n');
    expect(text).toMatch(/^symbolic dims: H, W; numbers below at H=160, W=96$/m);
    expect(text).toMatch(/^ {2}data_0: \[1,3,H,W\] = \[1,3,160,96\]$/m);
    // Strided convs and pools: arena buffers whose bytes are formulas with floors of H and W.
    expect(text).toMatch(/^ {2}\S+: \d+\*floor\(.*H.*\).* = \d+ B, steps -?\d+\.\.\d+$/m);
    expect(text).toMatch(/workgroups \[.*H.*\] = \[\d+,\d+,\d+\]/);
  });

  it('--json carries the formulas, and its memory numbers move with --at', async () => {
    const at = async (h: number) => {
      const { io, lines } = capture();
      await inspectCommand([MODEL, '--json', '--at', `H=${h}`, '--at', `W=${h}`], io);
      return JSON.parse(lines.join('\n')) as { memory: { arenaBytes: number; lowerBoundBytes: number }; symbolic: { at: Record<string, number>; inputs: { shape: unknown[]; at: number[] }[] } };
    };
    const [small, large] = [await at(64), await at(224)];
    expect(small.symbolic.at).toEqual({ H: 64, W: 64 });
    expect(small.symbolic.inputs[0].shape).toEqual([1, 3, 'H', 'W']);
    expect(large.symbolic.inputs[0].at).toEqual([1, 3, 224, 224]);
    expect(large.memory.arenaBytes).toBeGreaterThan(8 * small.memory.arenaBytes);
    for (const s of [small, large]) expect(s.memory.arenaBytes).toBeLessThanOrEqual(1.1 * s.memory.lowerBoundBytes);
  });

  it('a --dim or --at naming a dim the model lacks is a usage error listing the dims it has', async () => {
    const { io } = capture();
    await expect(inspectCommand([MODEL, '--plan', '--at', 'HH=160'], io)).rejects.toThrow(UsageError);
    await expect(inspectCommand([MODEL, '--plan', '--at', 'HH=160'], io)).rejects.toThrow("--at HH: " + MODEL + " has no symbolic dim 'HH' (its symbolic dims: H, W)");
    await expect(inspectCommand([MODEL, '--dim', 'N=1'], io)).rejects.toThrow("--dim N: " + MODEL + " has no symbolic dim 'N' (its symbolic dims: H, W)");
    await expect(compileCommand([MODEL, '-o', join(dir, 'artifact'), '--dim', 'w=96'], io)).rejects.toThrow("--dim w: " + MODEL + " has no symbolic dim 'w' (its symbolic dims: H, W)");
  });
});
