// The one way ocikit opens a file it reads: real FIFOs, sockets, devices and
// symlinks, never stand-ins.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describeLimit, Limits, type Limit } from './limits.js';
import { FileError, FileErrorCode, openRegularFile, readRegularFile } from './regular-file.js';

let dir: string;
let server: Server;
const at = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ocikit-regular-file-'));
  writeFileSync(at('doc.json'), '{"a":1}');
  execFileSync('mkfifo', [at('fifo')]);
  mkdirSync(at('dir'));
  symlinkSync('doc.json', at('link'));
  server = createServer();
  await new Promise<void>((resolve) => server.listen(at('socket'), resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The FileError `fn` throws (or a failure naming what happened instead). */
function refusal(fn: () => unknown): FileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FileError) return err;
    throw err;
  }
  throw new Error('expected a FileError, nothing was thrown');
}

describe('openRegularFile / readRegularFile', () => {
  it('reads a regular file whole, and follows a symlink unless told not to', () => {
    expect(readRegularFile(at('doc.json'), Limits.ManifestBytes).toString()).toBe('{"a":1}');
    expect(readRegularFile(at('link'), Limits.ManifestBytes).toString()).toBe('{"a":1}');
    const e = refusal(() => readRegularFile(at('link'), Limits.ManifestBytes, { followSymlinks: false }));
    expect([e.code, e.message]).toEqual([FileErrorCode.NotRegularFile, `${JSON.stringify(at('link'))} is a symlink, not a regular file`]);
  });

  it('refuses a FIFO without blocking (no writer ever opens it)', () => {
    for (const read of [() => readRegularFile(at('fifo'), Limits.ManifestBytes), () => openRegularFile(at('fifo'))]) {
      const e = refusal(read);
      expect([e.name, e.code, e.file, e.found, e.message]).toEqual(['FileError', 'NOT_A_REGULAR_FILE', at('fifo'), 'a FIFO', `${JSON.stringify(at('fifo'))} is a FIFO, not a regular file`]);
    }
  });

  it('refuses a socket, a character device and a directory, each named', () => {
    expect(refusal(() => readRegularFile(at('socket'), Limits.ManifestBytes)).message).toBe(`${JSON.stringify(at('socket'))} is a socket, not a regular file`);
    expect(refusal(() => readRegularFile('/dev/null', Limits.ManifestBytes)).message).toBe('"/dev/null" is a character device, not a regular file');
    expect(refusal(() => readRegularFile(at('dir'), Limits.ManifestBytes)).message).toBe(`${JSON.stringify(at('dir'))} is a directory, not a regular file`);
  });

  it('passes on the system error of a file that cannot be opened at all', () => {
    expect(() => readRegularFile(at('missing'), Limits.ManifestBytes)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('refuses a file larger than the limit, naming the limit and its value', () => {
    const limit: Limit = { name: 'MAX_TEST_BYTES', value: 6, unit: 'bytes' };
    const e = refusal(() => readRegularFile(at('doc.json'), limit));
    expect([e.code, e.limit, e.message]).toEqual([FileErrorCode.TooLarge, limit, `${JSON.stringify(at('doc.json'))} is 7 bytes, more than MAX_TEST_BYTES (6 bytes)`]);
    expect(readRegularFile(at('doc.json'), { ...limit, value: 7 }).toString()).toBe('{"a":1}');
  });

  it('returns every byte, whatever the size, each call its own buffer', () => {
    const limit: Limit = { name: 'MAX_TEST_BYTES', value: 1 << 20, unit: 'bytes' };
    const reads: [Buffer, Buffer][] = [];
    for (const size of [0, 1, 1000, 65_535, 65_536, 65_537, 200_000]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) & 0xff;
      writeFileSync(at(`f${size}`), bytes);
      const got = readRegularFile(at(`f${size}`), limit);
      expect([size, got.equals(bytes)]).toEqual([size, true]);
      reads.push([got, bytes]);
    }
    for (const [got, bytes] of reads) expect(got.equals(bytes)).toBe(true);
  });

  it('reads to the end of a file whose size says 0 (procfs), within the limit', () => {
    const status = readRegularFile('/proc/self/status', Limits.ManifestBytes).toString();
    expect(status).toMatch(/^Name:/);
    expect(status).toMatch(/\nPid:\s+\d+\n/);
    const e = refusal(() => readRegularFile('/proc/self/status', { name: 'MAX_TEST_BYTES', value: 10, unit: 'bytes' }));
    expect(e.message).toBe('"/proc/self/status" is at least 11 bytes, more than MAX_TEST_BYTES (10 bytes)');
  });
});

describe('Limits', () => {
  it('names each limit as messages print it', () => {
    expect(describeLimit(Limits.ManifestBytes)).toBe('MAX_MANIFEST_BYTES (4194304 bytes)');
    expect(describeLimit(Limits.JsonDepth)).toBe('MAX_JSON_DEPTH (256 levels)');
    for (const [key, limit] of Object.entries(Limits)) {
      expect({ key, ok: /^MAX_[A-Z_]+$/.test(limit.name) && Number.isSafeInteger(limit.value) && limit.value > 0 }).toEqual({ key, ok: true });
    }
  });
});
