import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, readBounded } from './read-input.js';

describe('readBounded', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ocikit-read-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, size: number): { path: string; bytes: Buffer } => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) & 0xff;
    const p = path.join(dir, name);
    writeFileSync(p, bytes);
    return { path: p, bytes };
  };

  it('returns every byte, whatever the size around the first 64 KiB read', () => {
    for (const size of [0, 1, 1000, 65_535, 65_536, 65_537, 200_000]) {
      const f = file(`f${size}`, size);
      const got = readBounded(f.path, 1 << 20);
      expect([size, Buffer.isBuffer(got) && got.equals(f.bytes)]).toEqual([size, true]);
    }
  });

  it('gives each call its own bytes (the first read goes through a shared buffer)', () => {
    const a = readBounded(file('a', 10).path, 100) as Buffer;
    const aCopy = Buffer.from(a);
    readBounded(file('b', 10).path, 100);
    expect(a.equals(aCopy)).toBe(true);
  });

  it('reports a file over the limit with its size, below and above 64 KiB', () => {
    expect(readBounded(file('small', 500).path, 100)).toEqual({ tooLarge: 500 });
    expect(readBounded(file('big', 300_000).path, 100_000)).toEqual({ tooLarge: 300_000 });
    expect(readBounded(file('exact', 100).path, 100)).toEqual(expect.any(Buffer));
  });

  it('reads a file that reports no size (procfs) to its end', () => {
    const got = readBounded('/proc/self/status', 1 << 20) as Buffer;
    expect(got.toString('utf8')).toMatch(/^Name:/);
    expect(got.length).toBeGreaterThan(100);
    expect(got.toString('utf8').split('\n')[0]).toBe(readFileSync('/proc/self/status', 'utf8').split('\n')[0]);
  });

  it('throws an InputError naming the file when it cannot be opened', () => {
    expect(() => readBounded(path.join(dir, 'missing'), 10)).toThrow(InputError);
    expect(() => readBounded(path.join(dir, 'missing'), 10)).toThrow(/missing: cannot read: ENOENT/);
  });
});
