/**
 * What the client knows about content on the wire: the manifest media
 * types it accepts, the manifest size bound, digest references, and the
 * check of bytes against a digest (image-spec descriptor.md "Verification").
 */
import { DigestMismatchError, digestOf, isSupported, isValidDigest, parseDigest, SizeMismatchError } from '@ocikit/digest';
import { MediaType } from '@ocikit/image-spec';
import { RegistryError, RegistryErrorCode } from '../errors.js';

/** Manifest media types asked for and accepted: OCI manifest and index, Docker schema 2 manifest and list. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.ImageManifest, MediaType.ImageIndex, MediaType.DockerManifest, MediaType.DockerManifestList];

export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** distribution-spec "Pushing Manifests": clients and registries SHOULD support at least 4 MB; more is refused. */
export const MANIFEST_SIZE_LIMIT = 4 * 1024 * 1024;

/** A media type without parameters, lower-cased (RFC 7231 section 3.1.1.1). */
export function bareMediaType(value: string | undefined): string {
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * The media type of a pulled manifest: its Content-Type, or, when a registry
 * serves it as generic JSON (or not at all), the document's own `mediaType`.
 * The result is only ever one of MANIFEST_MEDIA_TYPES; `found` says what was seen otherwise.
 */
export function manifestMediaType(contentType: string | undefined, bytes: Uint8Array): { known: string } | { found: string } {
  let mediaType = bareMediaType(contentType);
  if (mediaType === '' || mediaType === 'application/json' || mediaType === 'text/plain') {
    const own = jsonObject(bytes)?.['mediaType'];
    if (typeof own === 'string') mediaType = bareMediaType(own);
  }
  return MANIFEST_MEDIA_TYPES.includes(mediaType) ? { known: mediaType } : { found: mediaType };
}

export function isDigestReference(reference: string): boolean {
  return isValidDigest(reference);
}

/** Check bytes against a digest and, when known, a size; typed as the client's errors. */
export function verifyContent(bytes: Uint8Array, digest: string, size: number | undefined, where: string): void {
  if (size !== undefined && bytes.byteLength !== size) {
    throw new RegistryError(RegistryErrorCode.SizeMismatch, `${where}: expected ${size} bytes, got ${bytes.byteLength}`, {
      cause: new SizeMismatchError(size, bytes.byteLength),
    });
  }
  const { algorithm } = parseDigest(digest);
  if (!isSupported(algorithm)) {
    throw new RegistryError(RegistryErrorCode.DigestMismatch, `${where}: cannot verify ${digest}: algorithm ${algorithm} is not supported`);
  }
  const actual = digestOf(bytes, algorithm);
  if (actual !== digest) {
    throw new RegistryError(RegistryErrorCode.DigestMismatch, `${where}: expected digest ${digest}, got ${actual}`, { cause: new DigestMismatchError(digest, actual) });
  }
}

/** Parse a JSON document we are about to push or just pulled; undefined when it is not a JSON object. */
export function jsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
