import { describe, expect, it } from '@jest/globals';
import { forEachLimit } from './concurrency.js';

/** Tasks that finish only when released, so what runs at once can be counted without clocks. */
function gated(count: number) {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const release: (() => void)[] = [];
  const task = (i: number) =>
    new Promise<void>((resolve) => {
      started.push(i);
      most = Math.max(most, ++running);
      release[i] = () => {
        running--;
        resolve();
      };
    });
  return { task, started, release, most: () => most, count };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('forEachLimit', () => {
  it('runs at most `limit` tasks at once, and every task', async () => {
    const g = gated(7);
    const done = forEachLimit([0, 1, 2, 3, 4, 5, 6], 3, g.task);
    for (let i = 0; i < 7; i++) {
      await tick();
      expect(g.started.length).toBe(Math.min(7, i + 3));
      g.release[i]!();
    }
    await done;
    expect(g.most()).toBe(3);
    expect(g.started).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('stops starting tasks after the first failure and waits for the running ones', async () => {
    const started: number[] = [];
    let slowFinished = false;
    let releaseSlow!: () => void;
    const run = forEachLimit([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await new Promise<void>((r) => (releaseSlow = r));
        slowFinished = true;
      }
      if (i === 1) throw new Error('task 1 failed');
    });
    let settled = false;
    void run.catch(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    releaseSlow();
    await expect(run).rejects.toThrow('task 1 failed');
    expect(slowFinished).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it('does nothing for no items', async () => {
    await expect(forEachLimit([], 4, () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
  });
});
