/** Test content: random blobs with their descriptors, and manifests that reference them. */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MediaType, type Descriptor } from '@ocikit/image-spec';

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface TestBlob {
  bytes: Buffer;
  desc: Descriptor;
  /** `open(offset)` as pushBlob wants it, in pieces of `piece` bytes; records each offset asked for. */
  open: (offset: number) => AsyncIterable<Uint8Array>;
  opened: number[];
}

export function testBlob(size: number, mediaType: string = MediaType.ImageLayerGzip, piece = 64 * 1024): TestBlob {
  return blobOf(randomBytes(size), mediaType, piece);
}

export function blobOf(bytes: Buffer, mediaType: string, piece = 64 * 1024): TestBlob {
  const opened: number[] = [];
  return {
    bytes,
    desc: { mediaType, digest: sha256(bytes), size: bytes.length },
    opened,
    open(offset: number) {
      opened.push(offset);
      return (async function* () {
        for (let i = offset; i < bytes.length; i += piece) {
          // A real source reads asynchronously; so does this one.
          await Promise.resolve();
          yield bytes.subarray(i, Math.min(i + piece, bytes.length));
        }
      })();
    },
  };
}

export const EMPTY_CONFIG = blobOf(Buffer.from('{}'), MediaType.EmptyJSON);

/** An OCI image manifest over `layers`, with an optional subject, artifactType and annotations. */
export function manifestOf(layers: Descriptor[], extra: Record<string, unknown> = {}): { bytes: Buffer; mediaType: string } {
  const doc = { schemaVersion: 2, mediaType: MediaType.ImageManifest, config: EMPTY_CONFIG.desc, layers, ...extra };
  return { bytes: Buffer.from(JSON.stringify(doc)), mediaType: MediaType.ImageManifest };
}

export async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

export async function toArray<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The file docker-registry's filesystem driver keeps a blob's bytes in (distribution's storage layout). */
export function blobDataPath(storage: string, digest: string): string {
  const [alg, hex] = digest.split(':') as [string, string];
  return path.join(storage, 'docker', 'registry', 'v2', 'blobs', alg, hex.slice(0, 2), hex, 'data');
}

/**
 * Change one byte of a stored blob, keeping its length: what the registry
 * serves is no longer what its digest says. `at` picks the byte (default the
 * last); for a manifest pick one inside a string, so it stays JSON.
 */
export async function corruptStoredBlob(storage: string, digest: string, at?: (data: Buffer) => number): Promise<void> {
  const file = blobDataPath(storage, digest);
  const data = await readFile(file);
  const i = at ? at(data) : data.length - 1;
  data[i] = data[i] === 0x61 ? 0x62 : 0x61;
  await writeFile(file, data);
}

export async function exists(dir: string): Promise<boolean> {
  return readdir(dir).then(
    () => true,
    () => false,
  );
}
