import { describe, expect, it } from 'vitest';
import { GpuTimeEstimate, QueueClock, SLEEP_FRACTION } from '../../runtime/gpu_wait.js';

describe('QueueClock', () => {
  it('predicts queued submissions back to back and measures a run that found the queue idle', () => {
    const clock = new QueueClock();
    const t1 = clock.submit(10, 0, 1000);
    const t2 = clock.submit(10, 0, 1001);
    expect(t1.expectedDoneAt).toBe(1010);
    expect(t2.expectedDoneAt).toBe(1020); // behind t1, not 1001 + 10
    expect(clock.observe(t1, 1012)).toBe(12);
    // t2's start is only known as "when t1 was seen done": a late callback would shorten it.
    expect(clock.observe(t2, 1023)).toBeUndefined();
    expect(clock.observe(t1, 1030)).toBeUndefined(); // old news
    // The queue drained: the next submission starts at once, and is measured again.
    const t3 = clock.submit(10, 0, 2000);
    expect(t3.expectedDoneAt).toBe(2010);
    expect(clock.observe(t3, 2007)).toBe(7);
  });

  it('averages a batch of unread submissions over the batch', () => {
    const clock = new QueueClock();
    const tickets = Array.from({ length: 10 }, (_, i) => clock.submit(0, 0, 100 + i));
    expect(clock.observe(tickets[9], 150)).toBe(5);
  });

  it('sleeps most of a long predicted wait and none of a short one', async () => {
    const clock = new QueueClock();
    const short = clock.submit(0.5, 0);
    expect(await clock.sleepBefore(short)).toBeUndefined();
    clock.observe(short);
    const long = clock.submit(40, 0);
    const start = performance.now();
    const woke = await clock.sleepBefore(long);
    expect(woke).toBeDefined();
    expect(woke! - start).toBeGreaterThanOrEqual(SLEEP_FRACTION * 40 - 2);
  });
});

describe('GpuTimeEstimate', () => {
  it('skips the warm-up run, then follows polled samples', () => {
    const e = new GpuTimeEstimate();
    e.learn(500, undefined); // first run: lazy buffer clears and the like
    expect(e.ms).toBeUndefined();
    e.learn(10, undefined);
    expect(e.ms).toBe(10);
    e.learn(20, 5); // polled for 5 ms after waking: a real measurement
    expect(e.ms).toBe(15);
  });

  it('halves after oversleeping, since the sample then only bounds the time', () => {
    const e = new GpuTimeEstimate();
    e.learn(1, undefined);
    e.learn(100, undefined);
    e.learn(80, 0.1);
    expect(e.ms).toBe(40);
  });
});
