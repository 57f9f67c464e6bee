import { describe, expect, it } from '@jest/globals';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { digestOf } from './digester.js';
import { DigestError, DigestErrorCode, DigestMismatchError, SizeMismatchError } from './errors.js';
import { createVerifier, createVerifyingStream, createVerifyingTransformStream, verifyBytes, verifyStream } from './verify.js';

const content = Buffer.from('{"schemaVersion":2}\n'.repeat(100));
const expected = { digest: digestOf(content), size: content.length };

/** A Readable of `data` in `size`-byte chunks that records how many chunks were pulled. */
function counted(data: Buffer, size: number): Readable & { pulled: () => number } {
  let offset = 0;
  let pulled = 0;
  const r = new Readable({
    highWaterMark: 1,
    read() {
      if (offset >= data.length) return void this.push(null);
      pulled++;
      this.push(data.subarray(offset, offset + size));
      offset += size;
    },
  }) as Readable & { pulled: () => number };
  r.pulled = () => pulled;
  return r;
}

describe('verifyStream', () => {
  it('resolves with digest and size when both match', async () => {
    await expect(verifyStream(Readable.from([content]), expected)).resolves.toEqual(expected);
    await expect(verifyStream([content], { digest: expected.digest })).resolves.toEqual(expected);
  });

  it('rejects a truncated stream with SizeMismatchError before comparing digests', async () => {
    const short = content.subarray(0, content.length - 1);
    const err = await verifyStream(Readable.from([short]), expected).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect(err).toMatchObject({ code: DigestErrorCode.SizeMismatch, expected: content.length, actual: content.length - 1 });
    expect((err as Error).message).toBe(`size mismatch: expected ${content.length} bytes, got ${content.length - 1}`);
  });

  it('rejects a truncated stream with DigestMismatchError when no size is given', async () => {
    const short = content.subarray(0, 10);
    const err = await verifyStream([short], { digest: expected.digest }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(err).toMatchObject({ code: DigestErrorCode.Mismatch, expected: expected.digest, actual: digestOf(short) });
    expect((err as Error).message).toBe(`digest mismatch: expected ${expected.digest}, got ${digestOf(short)}`);
  });

  it('rejects an over-long stream early, without reading it to the end', async () => {
    const long = Buffer.concat([content, Buffer.alloc(1 << 20)]);
    const source = counted(long, 256);
    const err = await verifyStream(source, expected).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect((err as SizeMismatchError).actual).toBeGreaterThan(content.length);
    expect((err as Error).message).toMatch(/expected \d+ bytes, got at least \d+/);
    // It stopped within a chunk or two of the limit, not after 1 MiB more.
    expect(source.pulled()).toBeLessThan(Math.ceil(content.length / 256) + 4);
    expect(source.destroyed).toBe(true);
  });

  it('rejects an over-long web stream early and cancels it', async () => {
    let cancelled = false;
    let pulls = 0;
    const web = new ReadableStream<Uint8Array>({
      pull(c) {
        pulls++;
        c.enqueue(new Uint8Array(1000));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(verifyStream(web, { digest: digestOf(''), size: 4500 })).rejects.toBeInstanceOf(SizeMismatchError);
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(10);
  });

  it('rejects same-length different content with DigestMismatchError', async () => {
    const other = Buffer.from(content);
    other[7]! ^= 1;
    await expect(verifyStream([other], expected)).rejects.toBeInstanceOf(DigestMismatchError);
  });

  it('rejects a bad expected digest before reading anything', async () => {
    const source = counted(content, 10);
    await expect(verifyStream(source, { digest: 'sha256:abc' })).rejects.toMatchObject({ code: DigestErrorCode.InvalidLength });
    await expect(verifyStream(source, { digest: 'nope' })).rejects.toMatchObject({ code: DigestErrorCode.InvalidFormat });
    await expect(verifyStream(source, { digest: 'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8' })).rejects.toMatchObject({
      code: DigestErrorCode.Unsupported,
    });
    expect(source.pulled()).toBe(0);
  });

  it('rejects a size that is not a non-negative safe integer', async () => {
    for (const size of [-1, 1.5, Number.NaN, 2 ** 53]) {
      await expect(verifyStream([content], { digest: expected.digest, size })).rejects.toThrow(RangeError);
    }
  });

  it('verifies each algorithm and any chunking (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('sha256', 'sha384', 'sha512', 'blake3'),
        fc.integer({ min: -3, max: 3 }),
        async (data, sizes, algorithm, delta) => {
          const chunks: Uint8Array[] = [];
          for (let o = 0, i = 0; o < data.length; o += sizes[i++ % sizes.length]!) chunks.push(data.subarray(o, o + sizes[i % sizes.length]!));
          const size = Math.max(0, data.length + delta);
          const run = verifyStream(chunks, { digest: digestOf(data, algorithm), size });
          if (size === data.length) await expect(run).resolves.toEqual({ digest: digestOf(data, algorithm), size });
          else await expect(run).rejects.toBeInstanceOf(SizeMismatchError);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('createVerifier / verifyBytes', () => {
  it('fails fast and stays failed after an overrun', () => {
    const v = createVerifier({ digest: digestOf('ab'), size: 2 });
    v.update('a');
    expect(() => v.update('bc')).toThrow(SizeMismatchError);
    expect(() => v.update('')).toThrow(SizeMismatchError);
    expect(() => v.verify()).toThrow(SizeMismatchError);
    expect(v.size).toBe(1);
  });

  it('verifyBytes checks bytes in memory', () => {
    expect(verifyBytes('{}', { digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 })).toEqual({
      digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      size: 2,
    });
    expect(() => verifyBytes('{ }', { digest: digestOf('{}') })).toThrow(DigestMismatchError);
  });

  it('errors are DigestErrors with name and code', () => {
    const e = new DigestMismatchError('sha256:a', 'sha256:b');
    expect(e).toBeInstanceOf(DigestError);
    expect(e.name).toBe('DigestMismatchError');
    const s = new SizeMismatchError(1, 2);
    expect(s).toBeInstanceOf(DigestError);
    expect(s.name).toBe('SizeMismatchError');
  });
});

function sink(): Writable & { bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _e, cb) {
      parts.push(chunk);
      cb();
    },
  }) as Writable & { bytes: () => Buffer };
  w.bytes = () => Buffer.concat(parts);
  return w;
}

describe('VerifyingStream (Node pass-through)', () => {
  it('passes content through and resolves the pipeline when it matches', async () => {
    const v = createVerifyingStream(expected);
    const out = sink();
    await pipeline(Readable.from([content.subarray(0, 100), content.subarray(100)]), v, out);
    expect(out.bytes().equals(content)).toBe(true);
    expect(v.result).toEqual(expected);
  });

  it('fails the pipeline at the end on a digest mismatch', async () => {
    const other = Buffer.from(content);
    other[0]! ^= 1;
    const v = createVerifyingStream(expected);
    await expect(pipeline(Readable.from([other]), v, sink())).rejects.toBeInstanceOf(DigestMismatchError);
    expect(v.result).toBeUndefined();
  });

  it('fails the pipeline at the end on a truncated stream', async () => {
    await expect(pipeline(Readable.from([content.subarray(1)]), createVerifyingStream(expected), sink())).rejects.toMatchObject({
      code: DigestErrorCode.SizeMismatch,
      actual: content.length - 1,
    });
  });

  it('fails early on an over-long stream', async () => {
    const source = counted(Buffer.concat([content, Buffer.alloc(1 << 20)]), 512);
    await expect(pipeline(source, createVerifyingStream(expected), sink())).rejects.toBeInstanceOf(SizeMismatchError);
    expect(source.pulled()).toBeLessThan(Math.ceil(content.length / 512) + 20);
  });

  it('throws at construction for a bad expected digest', () => {
    expect(() => createVerifyingStream({ digest: 'sha256:XYZ' })).toThrow(DigestError);
  });
});

describe('createVerifyingTransformStream (web)', () => {
  async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
    let n = 0;
    for await (const c of stream as unknown as AsyncIterable<Uint8Array>) n += c.byteLength;
    return n;
  }

  it('passes matching content through', async () => {
    const out = new Blob([content]).stream().pipeThrough(createVerifyingTransformStream(expected));
    expect(await drain(out)).toBe(content.length);
  });

  it('errors on mismatch and on overrun', async () => {
    const bad = new Blob([content, 'x']).stream().pipeThrough(createVerifyingTransformStream({ digest: expected.digest }));
    await expect(drain(bad)).rejects.toBeInstanceOf(DigestMismatchError);
    const long = new Blob([content, 'x']).stream().pipeThrough(createVerifyingTransformStream(expected));
    await expect(drain(long)).rejects.toBeInstanceOf(SizeMismatchError);
  });
});
