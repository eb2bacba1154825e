import { describe, expect, it } from 'vitest';
import type { Plan } from '../../runtime/index.js';
import { Executable, UsageError } from '../../runtime/index.js';
import { HandPlan, INCREMENT } from './hand_plan.js';

/** count ← count + 1 at the end of every run; the output is the new count. */
function counterPlan(initial?: number): Plan {
  const p = new HandPlan();
  const count = p.tensor('count', 'f32', [1], 'states');
  const next = p.tensor('next', 'f32', [1]);
  p.step(p.kernel('increment', INCREMENT, 2, [1, 1, 1]), [count, next], [1, 1, 1]);
  p.state(count, initial === undefined ? undefined : Float32Array.of(initial));
  return p.update(count, next).output('next', next).build('counter');
}

describe('Executable: states', () => {
  it('applies state updates at the end of every run', async () => {
    const exe = await Executable.load(counterPlan(10));
    try {
      for (let i = 1; i <= 5; i++) expect((await exe.run({})).next.data[0]).toBe(10 + i);
      expect((await exe.readState('count')).data[0]).toBe(15);
      exe.writeState('count', Float32Array.of(100));
      expect((await exe.run({})).next.data[0]).toBe(101);
      expect(exe.states).toEqual([{ name: 'count', dtype: 'f32', shape: [1] }]);
    } finally {
      exe.dispose();
    }
  });

  it('starts a state without data at zero', async () => {
    const exe = await Executable.load(counterPlan());
    expect((await exe.readState('count')).data[0]).toBe(0);
    exe.dispose();
  });

  it('lets a training loop submit many steps and read only now and then', async () => {
    const exe = await Executable.load(counterPlan(0));
    const handles = [];
    for (let i = 0; i < 50; i++) handles.push(exe.dispatch({}, { outputs: i % 10 === 9 ? ['next'] : [] }));
    // Reads in any order see their own run's value.
    expect((await handles[49].read('next')).data[0]).toBe(50);
    expect((await handles[9].read()).next.data[0]).toBe(10);
    expect(await handles[0].read()).toEqual({});
    expect((await exe.readState('count')).data[0]).toBe(50);
    await expect(handles[3].read('next')).rejects.toThrow(UsageError);
    exe.dispose();
  });

  it('rejects reads after dispose and names unknown states', async () => {
    const exe = await Executable.load(counterPlan(0));
    await exe.run({});
    const pending = exe.dispatch({});
    exe.dispose();
    await expect(pending.read()).rejects.toThrow(/disposed/);
    expect(() => exe.dispatch({})).toThrow(UsageError);
    expect(exe.allocatedBytes).toBe(0);
    const other = await Executable.load(counterPlan(0));
    await expect(other.readState('nope')).rejects.toThrow(/no state 'nope'/);
    other.dispose();
  });
});
