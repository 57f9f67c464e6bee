import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { SUPPORTED_ALGORITHMS, type SupportedAlgorithm } from './algorithms.js';
import { digestOf } from './digester.js';
import { DigestErrorCode } from './errors.js';
import { createDigestingStream, digestStream } from './stream.js';

/** Cut `data` at the given points (sorted, deduplicated, in range). */
function cut(data: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...at, data.length]) {
    chunks.push(data.subarray(from, p));
    from = p;
  }
  return chunks;
}

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

async function* asyncChunks(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

const sources = {
  'Node Readable': (chunks: Uint8Array[]) => Readable.from(chunks.map((c) => Buffer.from(c))),
  'web ReadableStream': webStream,
  'async generator': asyncChunks,
  'sync array': (chunks: Uint8Array[]) => chunks,
} as const;

describe('digestStream equals digestOf on random chunkings (property)', () => {
  for (const [kind, make] of Object.entries(sources)) {
    it(`${kind}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 4096 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          fc.constantFrom<SupportedAlgorithm>(...SUPPORTED_ALGORITHMS),
          async (data, points, algorithm) => {
            const r = await digestStream(make(cut(data, points)), algorithm);
            expect(r).toEqual({ digest: digestOf(data, algorithm), size: data.length });
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('a stream that crosses many MiB (large chunks) agrees too', async () => {
    const data = new Uint8Array(5 * 1024 * 1024 + 3).map((_, i) => (i * 31) & 0xff);
    const r = await digestStream(sources['Node Readable'](cut(data, [1, 65536, 1048576, 3000000])), 'sha256');
    expect(r).toEqual({ digest: digestOf(data), size: data.length });
  });
});

describe('digestStream', () => {
  it('hashes string chunks as UTF-8 (a Readable with an encoding set)', async () => {
    const r = Readable.from([Buffer.from('héllo')]);
    r.setEncoding('utf8');
    expect(await digestStream(r)).toEqual({ digest: digestOf('héllo'), size: 6 });
  });

  it('rejects an unsupported algorithm with DIGEST_UNSUPPORTED', async () => {
    await expect(digestStream([new Uint8Array(1)], 'md5')).rejects.toMatchObject({ code: DigestErrorCode.Unsupported });
  });

  it('rejects chunks that are not bytes, and sources that are not streams', async () => {
    await expect(digestStream(Readable.from([{ a: 1 }]))).rejects.toThrow(TypeError);
    await expect(digestStream(42 as never)).rejects.toThrow(TypeError);
  });

  it('passes a source error through', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(digestStream(failing)).rejects.toThrow('disk on fire');
  });
});

describe('DigestingStream (pass-through)', () => {
  it('passes every byte on unchanged and knows the digest at the end', async () => {
    const data = Buffer.from('pass me through '.repeat(1000));
    const out: Buffer[] = [];
    const t = createDigestingStream('sha512');
    let emitted: unknown;
    t.on('digest', (r) => (emitted = r));
    expect(t.result).toBeUndefined();
    await pipeline(
      Readable.from(cut(data, [5, 99, 8000]).map((c) => Buffer.from(c))),
      t,
      new Writable({
        write(chunk: Buffer, _e, cb) {
          out.push(chunk);
          cb();
        },
      }),
    );
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(t.result).toEqual({ digest: digestOf(data, 'sha512'), size: data.length });
    expect(emitted).toEqual(t.result);
  });
});
