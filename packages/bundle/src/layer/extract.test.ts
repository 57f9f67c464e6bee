import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { BundleErrorCode } from '../errors.js';
import { sha256, tarArchive } from '../test-support/tar-writer.js';
import type { TarHandler } from '../tar/reader.js';
import { extractLayer, layerCompression } from './extract.js';
import { answeredOnWorkers } from '@ocikit/digest/worker-pool';
import { itWithPeers } from '@ocikit/testkit';

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
const TAR = 'application/vnd.oci.image.layer.v1.tar';

async function* chunks(b: Buffer, size = 1 << 16): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield await Promise.resolve(b.subarray(i, i + size));
}

function collector(): { handler: TarHandler; names: string[]; bytes: () => number } {
  const names: string[] = [];
  let n = 0;
  return {
    names,
    bytes: () => n,
    handler: { entry: (e) => void names.push(e.name), data: (c) => void (n += c.length), end: () => undefined },
  };
}

const tar = tarArchive([{ name: 'a', content: 'hello' }, { name: 'b/', type: '5' }, { name: 'b/c', content: 'x'.repeat(100_000) }]);
const diffId = sha256(tar);

describe('extractLayer', () => {
  itWithPeers(['zstd'], 'unpacks tar, tar+gzip and tar+zstd (and the Docker and non-distributable names)', async () => {
    const zstd = execFileSync('zstd', ['-q', '-c'], { input: tar });
    const cases: [string, Buffer][] = [
      [TAR, tar],
      [GZIP, gzipSync(tar)],
      [ZSTD, zstd],
      ['application/vnd.docker.image.rootfs.diff.tar.gzip', gzipSync(tar)],
      ['application/vnd.oci.image.layer.nondistributable.v1.tar+zstd', zstd],
    ];
    for (const [[mediaType, blob], worker] of cases.flatMap((c) => [[c, 'always'], [c, 'never']] as const)) {
      const c = collector();
      const before = answeredOnWorkers('inflate-worker.js');
      const r = await extractLayer(chunks(blob), { mediaType, diffId, handler: c.handler, label: 'l', worker });
      expect(c.names).toEqual(['a', 'b/', 'b/c']);
      expect(r.size).toBe(tar.length);
      expect(c.bytes()).toBe(100_005);
      // 'always' inflates gzip on the built inflate-worker.js (zstd too where Node has no strict native decoder).
      const onWorker = answeredOnWorkers('inflate-worker.js') - before;
      if (worker === 'never' || mediaType === TAR) expect([mediaType, worker, onWorker]).toEqual([mediaType, worker, 0]);
      else if (mediaType.endsWith('gzip')) expect([mediaType, worker, onWorker > 0]).toEqual([mediaType, worker, true]);
    }
  });

  it('refuses unknown media types by name', () => {
    expect(() => layerCompression('application/vnd.oci.image.layer.v1.tar+bzip2')).toThrow(/tar\+bzip2/);
  });

  it('refuses a diff_id mismatch', async () => {
    const wrong = sha256(Buffer.from('other'));
    await expect(extractLayer(chunks(gzipSync(tar)), { mediaType: GZIP, diffId: wrong, handler: collector().handler, label: 'l' })).rejects.toMatchObject({
      code: BundleErrorCode.DiffIdMismatch,
    });
  });

  it('refuses content that does not match the media type', async () => {
    await expect(extractLayer(chunks(tar), { mediaType: GZIP, diffId, handler: collector().handler, label: 'l' })).rejects.toMatchObject({
      code: BundleErrorCode.MediaTypeMismatch,
    });
    await expect(extractLayer(chunks(gzipSync(tar)), { mediaType: TAR, diffId, handler: collector().handler, label: 'l' })).rejects.toMatchObject({
      code: BundleErrorCode.MediaTypeMismatch,
    });
  });

  itWithPeers(['zstd'], 'refuses truncated or corrupt gzip and zstd with a one-line error', async () => {
    const gz = gzipSync(tar);
    for (const [mediaType, blob] of [
      [GZIP, gz.subarray(0, gz.length - 20)],
      [GZIP, Buffer.concat([gz.subarray(0, 30), Buffer.alloc(200, 0x55)])],
      [ZSTD, execFileSync('zstd', ['-q', '-c'], { input: tar }).subarray(0, 40)],
    ] as const) {
      for (const worker of ['always', 'never'] as const) {
        const before = answeredOnWorkers('inflate-worker.js');
        const err = (await extractLayer(chunks(blob), { mediaType, diffId, handler: collector().handler, label: 'l', worker }).catch((e: unknown) => e)) as Error & { code: string };
        expect([BundleErrorCode.CorruptCompression, BundleErrorCode.InvalidTar]).toContain(err.code);
        // The worker's refusal reached this thread as the decompressor's error.
        if (worker === 'always' && mediaType === GZIP) expect([mediaType, err.message, answeredOnWorkers('inflate-worker.js') > before]).toEqual([mediaType, expect.stringContaining('truncated or corrupt'), true]);
        expect(err.message).not.toContain('\n');
      }
    }
  });

  itWithPeers(['zstd'], 'stops a decompression bomb at the size limit with bounded memory (gzip inline and on a worker, zstd on a worker)', async () => {
    // 1 GiB of zeros in one file compresses to about 1 MiB (gzip) or 32 KiB (zstd).
    const header = tarArchive([{ name: 'bomb', content: Buffer.alloc(0) }]).subarray(0, 512);
    header.write('10000000000\0', 124, 'latin1'); // 1 GiB, octal
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const zlib = await import('node:zlib');
    const gz = zlib.createGzip({ level: 1 });
    const parts: Buffer[] = [];
    gz.on('data', (c: Buffer) => parts.push(c));
    const done = new Promise((r) => gz.on('end', r));
    gz.write(header);
    const zeros = Buffer.alloc(1 << 20);
    for (let i = 0; i < 1024; i++) gz.write(zeros);
    gz.end();
    await done;
    const gzBomb = Buffer.concat(parts);
    const zstdBomb = execFileSync('sh', ['-c', '{ head -c 512 "$0"; head -c 1073741824 /dev/zero; } | zstd -q -c', '/dev/stdin'], { input: header, maxBuffer: 64 << 20 });
    for (const [mediaType, bomb, worker] of [
      [GZIP, gzBomb, 'never'],
      [GZIP, gzBomb, 'always'],
      [ZSTD, zstdBomb, 'auto'],
    ] as const) {
      const before = process.memoryUsage().rss;
      await expect(
        extractLayer(chunks(bomb), { mediaType, diffId, handler: collector().handler, label: 'bomb', maxBytes: 64 << 20, worker }),
      ).rejects.toMatchObject({ code: BundleErrorCode.TooLarge });
      expect([mediaType, worker, process.memoryUsage().rss - before < 200 << 20]).toEqual([mediaType, worker, true]);
    }
  });
});
