import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BundleErrorCode } from '../errors.js';
import { deadPid, ended, firstLine, SRC, startChild } from '../test-support/child.js';
import { withFileLock } from './lock.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('lock');

/** A child that takes the lock, says so, and then waits until killed. */
function holder(lockPath: string, withoutFlock: boolean) {
  return startChild(
    s.dir,
    `
    import { withFileLock } from ${JSON.stringify(path.join(SRC, 'store/lock.ts'))};
    await withFileLock(process.argv[2], async () => {
      console.log('held');
      await new Promise(() => setInterval(() => {}, 1000));
    }, { withoutFlock: process.argv[3] === 'file' });
    `,
    [lockPath, withoutFlock ? 'file' : 'flock'],
  );
}

for (const mechanism of ['flock', 'file'] as const) {
  const withoutFlock = mechanism === 'file';
  describe(`lock (${mechanism})`, () => {
    it('is released when its holder is killed with SIGKILL, and taken by the next writer', async () => {
      const lockPath = path.join(s.dir, 'lock');
      const child = holder(lockPath, withoutFlock);
      expect(await firstLine(child)).toBe('held');
      await expect(withFileLock(lockPath, () => Promise.resolve('got it'), { timeoutMs: 300, withoutFlock })).rejects.toMatchObject({ code: BundleErrorCode.LockTimeout });
      child.kill('SIGKILL');
      await ended(child);
      await expect(withFileLock(lockPath, () => Promise.resolve('got it'), { withoutFlock })).resolves.toBe('got it');
    });

    it('is released when its holder is interrupted (SIGTERM), which dies of the signal', async () => {
      const lockPath = path.join(s.dir, 'lock');
      const child = holder(lockPath, withoutFlock);
      await firstLine(child);
      child.kill('SIGTERM');
      expect(await ended(child)).toEqual({ code: null, signal: 'SIGTERM' });
      await expect(withFileLock(lockPath, () => Promise.resolve('got it'), { timeoutMs: 30_000, withoutFlock })).resolves.toBe('got it');
    });

    it('serialises writers in one process', async () => {
      const lockPath = path.join(s.dir, 'lock');
      const counter = path.join(s.dir, 'counter');
      writeFileSync(counter, '0');
      const bump = () =>
        withFileLock(
          lockPath,
          async () => {
            const n = Number(readFileSync(counter, 'utf8'));
            await new Promise((r) => setImmediate(r));
            writeFileSync(counter, String(n + 1));
          },
          { withoutFlock },
        );
      await Promise.all(Array.from({ length: 20 }, bump));
      expect(readFileSync(counter, 'utf8')).toBe('20');
    });
  });
}

describe('lock (file): stale locks', () => {
  it('breaks a lock whose owner is dead', async () => {
    const lockPath = path.join(s.dir, 'lock');
    writeFileSync(lockPath, `${deadPid()}\n`);
    await expect(withFileLock(lockPath, () => Promise.resolve('got it'), { withoutFlock: true, timeoutMs: 5_000 })).resolves.toBe('got it');
  });

  it('never breaks the lock of a live process, and names it on timeout', async () => {
    const lockPath = path.join(s.dir, 'lock');
    writeFileSync(lockPath, '1\n');
    await expect(withFileLock(lockPath, () => Promise.resolve('got it'), { withoutFlock: true, timeoutMs: 200 })).rejects.toThrow(/locked by process 1 /);
    expect(readFileSync(lockPath, 'utf8')).toBe('1\n');
  });
});

describe('lock (flock): errors', () => {
  it('says why a lock file cannot be made', async () => {
    const lockPath = path.join(s.dir, 'missing-dir', 'lock');
    await expect(withFileLock(lockPath, () => Promise.resolve('x'))).rejects.toMatchObject({ code: BundleErrorCode.LockFailed, message: expect.stringMatching(/cannot lock .*No such file or directory/) });
  });
});
