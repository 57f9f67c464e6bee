import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileError, type Limit } from '@ocikit/validation';
import { InputError, readDocumentFile } from './read-input.js';

describe('readDocumentFile', () => {
  let dir: string;
  const limit: Limit = { name: '--max-bytes', value: 100, unit: 'bytes' };
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ocikit-read-'));
    writeFileSync(path.join(dir, 'doc.json'), '{}');
    writeFileSync(path.join(dir, 'big.json'), Buffer.alloc(500, 0x20));
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a document, and hands back the refusal of one over the limit, naming the limit', () => {
    expect(readDocumentFile(path.join(dir, 'doc.json'), limit)).toEqual(Buffer.from('{}'));
    const big = readDocumentFile(path.join(dir, 'big.json'), limit);
    expect(big).toBeInstanceOf(FileError);
    expect((big as FileError).message).toBe(`${JSON.stringify(path.join(dir, 'big.json'))} is 500 bytes, more than --max-bytes (100 bytes)`);
  });

  it('refuses a FIFO as PATH_UNSUPPORTED, naming it, without waiting for a writer', () => {
    const fifo = path.join(dir, 'fifo');
    expect(() => readDocumentFile(fifo, limit)).toThrow(expect.objectContaining({ name: 'InputError', code: 'PATH_UNSUPPORTED', message: `${JSON.stringify(fifo)} is a FIFO, not a regular file (standard input takes a stream: -)` }));
  });

  it('throws an InputError naming the file when it cannot be opened', () => {
    expect(() => readDocumentFile(path.join(dir, 'missing'), limit)).toThrow(InputError);
    expect(() => readDocumentFile(path.join(dir, 'missing'), limit)).toThrow(/missing: cannot read: ENOENT/);
  });
});
