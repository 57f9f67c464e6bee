import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from './digester.js';
import { DigestErrorCode, DigestMismatchError, SizeMismatchError } from './errors.js';
import { READ_BUFFER_SIZE, digestFile, verifyFile } from './file.js';
import { digestFileBlocking } from './file-blocking.js';
import { createFileDigestPool, digestFiles } from './pool.js';
import { answeredOnWorkers } from './worker-pool.js';
import { itWithPeers } from '@ocikit/testkit';

let dir: string;
const files: Record<string, Buffer> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocikit-digest-'));
  const sizes = { empty: 0, small: 3, exact: READ_BUFFER_SIZE, over: READ_BUFFER_SIZE + 1, big: 3 * READ_BUFFER_SIZE + 12345 };
  for (const [name, size] of Object.entries(sizes)) {
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i++) b[i] = (i * 7 + name.length) & 0xff;
    files[name] = b;
    writeFileSync(join(dir, name), b);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('digestFileBlocking (pool workers and the calling-thread lane)', () => {
  it.each(['empty', 'small', 'exact', 'over', 'big'])('%s file: equals digestOf of its bytes, for every algorithm', async (name) => {
    for (const algorithm of ['sha256', 'sha384', 'sha512', 'blake3'] as const) {
      await expect(digestFileBlocking(join(dir, name), algorithm)).resolves.toEqual({ digest: digestOf(files[name]!, algorithm), size: files[name]!.length });
    }
  });

  it('rejects with the fs error for a missing file', async () => {
    await expect(digestFileBlocking(join(dir, 'missing'), 'sha256')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('digestFile', () => {
  it.each(['empty', 'small', 'exact', 'over', 'big'])('%s file: equals digestOf of its bytes, for every algorithm', async (name) => {
    for (const algorithm of ['sha256', 'sha384', 'sha512', 'blake3'] as const) {
      await expect(digestFile(join(dir, name), algorithm)).resolves.toEqual({
        digest: digestOf(files[name]!, algorithm),
        size: files[name]!.length,
      });
    }
  });

  itWithPeers(['openssl'], 'agrees with openssl dgst on the same file', async () => {
    const r = spawnSync('openssl', ['dgst', '-sha256', '-r', join(dir, 'big')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const hex = r.stdout.split(' ')[0];
    await expect(digestFile(join(dir, 'big'))).resolves.toMatchObject({ digest: `sha256:${hex}` });
  });

  it('reads a FIFO (no seeking)', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The writer blocks until we open the FIFO for reading.
    const writer = spawn('sh', ['-c', `head -c 5000000 /dev/zero > '${fifo}'`], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    await expect(digestFile(fifo)).resolves.toEqual({ digest: digestOf(new Uint8Array(5_000_000)), size: 5_000_000 });
    await expect(exited).resolves.toBe(0);
  });

  it('rejects with the fs error for a missing file or a directory', async () => {
    await expect(digestFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(digestFile(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('rejects an unsupported algorithm before opening anything', async () => {
    await expect(digestFile(join(dir, 'missing'), 'md5')).rejects.toMatchObject({ code: DigestErrorCode.Unsupported });
  });
});

describe('verifyFile', () => {
  it('resolves for matching size and digest', async () => {
    const b = files['big']!;
    await expect(verifyFile(join(dir, 'big'), { digest: digestOf(b, 'blake3'), size: b.length })).resolves.toEqual({
      digest: digestOf(b, 'blake3'),
      size: b.length,
    });
  });

  it('compares a regular file\'s length before hashing', async () => {
    const err = await verifyFile(join(dir, 'big'), { digest: digestOf('whatever'), size: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect(err).toMatchObject({ expected: 10, actual: files['big']!.length });
  });

  it('rejects a wrong digest', async () => {
    await expect(verifyFile(join(dir, 'small'), { digest: digestOf('other') })).rejects.toBeInstanceOf(DigestMismatchError);
  });
});

describe('file digest pool', () => {
  it('returns results in argument order, an unreadable file as its error, hashed on worker threads', async () => {
    const names = ['big', 'missing', 'small', 'empty', 'over'];
    const seen: string[] = [];
    const before = answeredOnWorkers('file-worker.js');
    for await (const r of digestFiles(names.map((n) => join(dir, n)), 'sha512', { concurrency: 2 })) {
      const name = r.path.slice(dir.length + 1);
      seen.push(name);
      if (name === 'missing') expect('error' in r && r.error).toMatchObject({ code: 'ENOENT', syscall: 'open', path: join(dir, 'missing') });
      else expect('result' in r && r.result).toEqual({ digest: digestOf(files[name]!, 'sha512'), size: files[name]!.length });
    }
    expect(seen).toEqual(names);
    // Every file went to a worker (the built file-worker.js), the missing one too.
    expect(answeredOnWorkers('file-worker.js') - before).toBe(names.length);
  });

  it('with the calling thread as a lane, shares the files between it and the workers; without threads, uses none', async () => {
    const names = ['big', 'over', 'exact', 'small', 'empty', 'big', 'over'];
    const before = answeredOnWorkers('file-worker.js');
    const pool = createFileDigestPool({ concurrency: 2, callingThread: true });
    const results = await Promise.all(names.map((n) => pool.digest(join(dir, n), 'sha256')));
    await pool.close();
    expect(results).toEqual(names.map((n) => ({ digest: digestOf(files[n]!), size: files[n]!.length })));
    const onWorkers = answeredOnWorkers('file-worker.js') - before;
    expect(onWorkers).toBeGreaterThan(0);
    expect(onWorkers).toBeLessThan(names.length);

    const inline = createFileDigestPool({ concurrency: 2, threads: false });
    await expect(inline.digest(join(dir, 'small'))).resolves.toEqual({ digest: digestOf(files['small']!), size: 3 });
    await inline.close();
    expect(answeredOnWorkers('file-worker.js') - before).toBe(onWorkers);
  });

  it('limits concurrency and rejects after close', async () => {
    const pool = createFileDigestPool({ concurrency: 1 });
    expect(pool.concurrency).toBe(1);
    await expect(pool.digest(join(dir, 'small'))).resolves.toEqual({ digest: digestOf(files['small']!), size: 3 });
    await pool.close();
    await expect(pool.digest(join(dir, 'small'))).rejects.toThrow(/closed/);
  });

  it('rejects an unsupported algorithm synchronously in the caller', () => {
    const pool = createFileDigestPool({ concurrency: 1 });
    expect(() => pool.digest(join(dir, 'small'), 'md5' as never)).toThrow(/unsupported digest algorithm "md5"/);
    return pool.close();
  });
});
