import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DigestMismatchError, SizeMismatchError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/image-spec';
import { testScratch } from '@ocikit/testkit';
import { makeImage } from '../test-support/image.js';
import { sha256 } from '../test-support/tar-writer.js';
import { Layout } from './layout.js';

const s = testScratch('put-blob');

const descOf = (bytes: Buffer): Descriptor => ({ mediaType: 'application/octet-stream', digest: sha256(bytes), size: bytes.length });

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield await Promise.resolve(p);
}

/** Files in the layout's top directory and blob folder: temp files would show here. */
function files(layout: Layout): string[] {
  return [...readdirSync(layout.dir), ...readdirSync(path.join(layout.dir, 'blobs', 'sha256'), { withFileTypes: true }).map((e) => `blobs/sha256/${e.name}`)].sort();
}

describe('Layout.putBlob: a blob lands only when it is what its descriptor says', () => {
  it('writes matching content under its digest and reports each chunk', async () => {
    const layout = await Layout.create(path.join(s.dir, 'l'));
    const bytes = Buffer.from('hello, blob');
    const seen: number[] = [];
    await layout.putBlob(descOf(bytes), chunks(bytes.subarray(0, 5), bytes.subarray(5)), { onChunk: (n) => seen.push(n) });
    expect(readFileSync(layout.blobPath(descOf(bytes).digest))).toEqual(bytes);
    expect(seen).toEqual([5, bytes.length - 5]);
    expect(layout.hasBlob(descOf(bytes).digest)).toBe(true);
  });

  it('writes the bytes a source yielded, whether it reuses its memory or keeps its chunks stable', async () => {
    const layout = await Layout.create(path.join(s.dir, 'l'));
    const bytes = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => (i * 31 + (i >> 12)) & 0xff));
    // A compressor-like source: one buffer, overwritten as soon as the consumer asks for the next chunk.
    async function* reusing(piece: number): AsyncGenerator<Buffer> {
      const scratch = Buffer.alloc(piece);
      for (let at = 0; at < bytes.length; at += piece) {
        const n = bytes.copy(scratch, 0, at, at + piece);
        yield await Promise.resolve(scratch.subarray(0, n));
        scratch.fill(0xee);
      }
    }
    await layout.putBlob(descOf(bytes), reusing(100_000));
    expect(readFileSync(layout.blobPath(descOf(bytes).digest)).equals(bytes)).toBe(true);
    // Stable chunks go to the file as they are: big pieces in one writev, and many small ones (more than one writev takes).
    for (const piece of [300_000, 1_000]) {
      const other = Buffer.concat([bytes, Buffer.from([piece & 0xff])]);
      const pieces = Array.from({ length: Math.ceil(other.length / piece) }, (_, i) => other.subarray(i * piece, (i + 1) * piece));
      await layout.putBlob(descOf(other), chunks(...pieces), { stableChunks: true });
      expect(readFileSync(layout.blobPath(descOf(other).digest)).equals(other)).toBe(true);
    }
  });

  it('keeps nothing of content with the wrong digest, size, or a failing stream', async () => {
    const { layout } = await makeImage(path.join(s.dir, 'l'), [[{ name: 'a', content: 'a' }]]);
    const before = files(layout);
    const want = Buffer.from('the right bytes');
    const desc = descOf(want);
    await expect(layout.putBlob(desc, [Buffer.from('the wrong bytes')])).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(layout.putBlob(desc, [Buffer.concat([want, Buffer.from('!')])])).rejects.toBeInstanceOf(SizeMismatchError);
    await expect(layout.putBlob(desc, [want.subarray(1)])).rejects.toBeInstanceOf(SizeMismatchError);
    async function* failing(): AsyncGenerator<Buffer> {
      yield await Promise.resolve(want.subarray(0, 3));
      throw new Error('source went away');
    }
    await expect(layout.putBlob(desc, failing())).rejects.toThrow('source went away');
    // A verifying source leaves the digest to the source; the size is still checked here.
    await expect(layout.putBlob(desc, [Buffer.concat([want, Buffer.from('!')])], { sourceVerified: true })).rejects.toBeInstanceOf(SizeMismatchError);
    await expect(layout.putBlob(desc, failing(), { sourceVerified: true })).rejects.toThrow('source went away');
    expect(files(layout)).toEqual(before);
    expect(layout.hasBlob(desc.digest)).toBe(false);
  });
});

describe('Layout.descriptors and Layout.referrers', () => {
  it('finds what a name or digest selects, and referrers by subject', async () => {
    const { layout, manifest } = await makeImage(path.join(s.dir, 'l'), [[{ name: 'a', content: 'a' }]], { ref: 'v1' });
    expect((await layout.descriptors('v1')).map((d) => d.digest)).toEqual([manifest.digest]);
    expect(await layout.descriptors('nope')).toEqual([]);
    expect((await layout.descriptors({ digest: manifest.digest })).map((d) => d.digest)).toEqual([manifest.digest]);
    const empty = await layout.writeBlob(Buffer.from('{}'));
    const sig = await layout.writeJson(
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.example.sig',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', ...empty }],
        subject: manifest,
      },
      'application/vnd.oci.image.manifest.v1+json',
    );
    const referrers = await layout.referrers();
    expect(referrers.get(manifest.digest)).toEqual([{ ...sig, artifactType: 'application/vnd.example.sig' }]);
    expect(referrers.size).toBe(1);
  });
});
