/**
 * One repository of a registry: manifests by tag or digest, blobs by
 * digest, tags, referrers (distribution-spec v1.1 "Pull", "Push",
 * "Content Discovery", "Content Management").
 */
import { digestOf, isSupported, isValidDigest, parseDigest } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/image-spec';
import { repositoryScope } from '../auth/scope.js';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { discard, header, readBody } from '../http/transport.js';
import { encodeSegment, redactUrl, v2Path } from '../http/url.js';
import { listReferrers, referrerDescriptor, removeFromFallbackIndex, addToFallbackIndex } from '../referrers.js';
import { bareMediaType, isDigestReference, jsonObject, MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, MANIFEST_SIZE_LIMIT, manifestMediaType, verifyContent } from './content.js';
import { fetchBlob, type FetchBlobOptions } from './download.js';
import { paginate, stringList } from './paginate.js';
import type { RegistryClient } from './registry-client.js';
import { pushBlob, type PushBlobOptions, type PushBlobResult } from './upload.js';

export class Repository {
  readonly client: RegistryClient;
  readonly name: string;

  constructor(client: RegistryClient, name: string) {
    this.client = client;
    this.name = name;
  }

  /** Scopes for reading, and for writing (a push also reads: HEAD before upload). */
  get pullScopes(): string[] {
    return [repositoryScope(this.name, 'pull')];
  }

  get pushScopes(): string[] {
    return [repositoryScope(this.name, 'pull', 'push')];
  }

  get deleteScopes(): string[] {
    // distribution's token auth asks for the `delete` action on DELETE.
    return [repositoryScope(this.name, 'delete')];
  }

  /** The URL path of something in this repository. */
  path(kind: 'manifests' | 'blobs' | 'tags' | 'referrers' | 'uploads', ref = ''): string {
    const base = v2Path(this.name);
    if (kind === 'uploads') return `${base}/blobs/uploads/`;
    if (kind === 'tags') return `${base}/tags/list`;
    return `${base}/${kind}/${encodeSegment(ref)}`;
  }

  /** A HEAD or GET of a manifest by tag or digest, accepting every known manifest type. */
  private requestManifest(method: 'HEAD' | 'GET', reference: string): ReturnType<RegistryClient['request']> {
    return this.client.request({
      method,
      target: this.path('manifests', reference),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: this.pullScopes,
      expect: [200],
      repository: this.name,
      notFound: RegistryErrorCode.ManifestUnknown,
    });
  }

  /** A tag or digest to a descriptor: HEAD, or GET when the HEAD does not say enough. */
  async resolve(reference: string): Promise<Descriptor> {
    const res = await this.requestManifest('HEAD', reference);
    await discard(res);
    const mediaType = bareMediaType(header(res, 'content-type'));
    const digest = header(res, 'docker-content-digest')?.trim();
    const size = Number(header(res, 'content-length'));
    if (MANIFEST_MEDIA_TYPES.includes(mediaType) && digest && isValidDigest(digest) && Number.isSafeInteger(size) && size >= 0) {
      if (isDigestReference(reference) && digest !== reference) {
        throw new RegistryError(RegistryErrorCode.DigestMismatch, `HEAD ${redactUrl(res.url)}: the registry names digest ${digest} for ${reference}`, { url: redactUrl(res.url) });
      }
      return { mediaType, digest, size };
    }
    return (await this.getManifest(reference)).descriptor;
  }

  /**
   * A manifest's bytes and descriptor. Only the known manifest media types
   * are accepted; the bytes are verified against the reference when it is a
   * digest, else against Docker-Content-Digest when the registry sends one.
   */
  async getManifest(reference: string): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
    const res = await this.requestManifest('GET', reference);
    const where = `GET ${redactUrl(res.url)}`;
    const bytes = await readBody(res, MANIFEST_SIZE_LIMIT, 'manifest');
    const type = manifestMediaType(header(res, 'content-type'), bytes);
    if ('found' in type) {
      throw new RegistryError(RegistryErrorCode.UnsupportedMediaType, `${where}: manifest media type ${JSON.stringify(type.found)} is not one of ${MANIFEST_MEDIA_TYPES.join(', ')}`, {
        url: redactUrl(res.url),
      });
    }
    const mediaType = type.known;
    let digest: string;
    if (isDigestReference(reference)) {
      verifyContent(bytes, reference, undefined, where);
      digest = reference;
    } else {
      const said = header(res, 'docker-content-digest')?.trim();
      if (said && isValidDigest(said) && isSupported(parseDigest(said).algorithm)) {
        verifyContent(bytes, said, undefined, where);
        digest = said;
      } else {
        digest = digestOf(bytes);
      }
    }
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes };
  }

  /**
   * Push a manifest by tag or digest. When it has a `subject` and the
   * registry does not answer with OCI-Subject, the referrers fallback tag is
   * updated (distribution-spec "Pushing Manifests with Subject").
   */
  async putManifest(reference: string, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    if (bytes.byteLength > MANIFEST_SIZE_LIMIT) {
      throw new RegistryError(RegistryErrorCode.TooLarge, `manifest for ${this.name}:${reference} is ${bytes.byteLength} bytes, over the limit of ${MANIFEST_SIZE_LIMIT}`);
    }
    const byDigest = isDigestReference(reference);
    const digest = digestOf(bytes, byDigest ? parseDigest(reference).algorithm : 'sha256');
    if (byDigest && digest !== reference) {
      throw new RegistryError(RegistryErrorCode.DigestMismatch, `manifest for ${this.name}@${reference} has digest ${digest}`);
    }
    const res = await this.client.request({
      method: 'PUT',
      target: this.path('manifests', reference),
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: this.pushScopes,
      expect: [201],
      repository: this.name,
      notFound: RegistryErrorCode.NameUnknown,
    });
    await discard(res);
    const said = header(res, 'docker-content-digest')?.trim();
    if (said && isValidDigest(said) && parseDigest(said).algorithm === parseDigest(digest).algorithm && said !== digest) {
      throw new RegistryError(RegistryErrorCode.DigestMismatch, `PUT ${redactUrl(res.url)}: the registry stored digest ${said}, expected ${digest}`, { url: redactUrl(res.url) });
    }
    const descriptor: Descriptor = { mediaType, digest, size: bytes.byteLength };
    const doc = jsonObject(bytes);
    const subject = subjectDigest(doc);
    if (subject && !header(res, 'oci-subject')) {
      await addToFallbackIndex(this, subject, referrerDescriptor(descriptor, doc!));
    }
    return descriptor;
  }

  /**
   * Delete a manifest by digest. When it has a subject and the registry has
   * no referrers API, its entry leaves the fallback index too
   * (distribution-spec "Deleting Manifests").
   */
  async deleteManifest(digest: string): Promise<void> {
    if (!isDigestReference(digest)) {
      throw new RegistryError(RegistryErrorCode.DigestInvalid, `manifests are deleted by digest; ${JSON.stringify(digest)} is not one`);
    }
    let subject: string | undefined;
    try {
      subject = subjectDigest(jsonObject((await this.getManifest(digest)).bytes));
    } catch (err) {
      // The DELETE itself will say what is wrong (unknown manifest, no permission).
      if (!(err instanceof RegistryError)) throw err;
    }
    const res = await this.client.request({
      method: 'DELETE',
      target: this.path('manifests', digest),
      scopes: this.deleteScopes,
      expect: [202],
      repository: this.name,
      notFound: RegistryErrorCode.ManifestUnknown,
    });
    await discard(res);
    if (subject) await removeFromFallbackIndex(this, subject, digest);
  }

  /** A blob's size, or undefined when the repository does not have it. */
  async statBlob(digest: string): Promise<{ size: number } | undefined> {
    const res = await this.client.request({
      method: 'HEAD',
      target: this.path('blobs', digest),
      scopes: this.pullScopes,
      expect: [200, 404],
      repository: this.name,
      redirects: true,
    });
    await discard(res);
    if (res.status === 404) return undefined;
    const size = Number(header(res, 'content-length'));
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RegistryError(RegistryErrorCode.Protocol, `HEAD ${redactUrl(res.url)}: no usable Content-Length`, { url: redactUrl(res.url) });
    }
    return { size };
  }

  /** A blob, streamed and verified (see download.ts). */
  fetchBlob(desc: Descriptor, options: FetchBlobOptions = {}): AsyncIterable<Buffer> {
    return fetchBlob(this, desc, options);
  }

  async deleteBlob(digest: string): Promise<void> {
    const res = await this.client.request({
      method: 'DELETE',
      target: this.path('blobs', digest),
      scopes: this.deleteScopes,
      expect: [202],
      repository: this.name,
      notFound: RegistryErrorCode.BlobUnknown,
    });
    await discard(res);
  }

  /** Push a blob unless present: 'exists', 'mounted' or 'uploaded' (see upload.ts). */
  pushBlob(desc: Descriptor, open: (offset: number) => AsyncIterable<Uint8Array>, options: PushBlobOptions = {}): Promise<PushBlobResult> {
    return pushBlob(this, desc, open, options);
  }

  /** Tags in lexical order, page by page (following Link rel="next"). */
  tags(options: { pageSize?: number } = {}): AsyncIterable<string> {
    const first = this.client.url(this.path('tags'));
    if (options.pageSize !== undefined) first.searchParams.set('n', String(options.pageSize));
    return paginate((r) => this.client.request(r), first, { scopes: this.pullScopes, repository: this.name }, (doc, url) => stringList(doc, 'tags', url));
  }

  /** Manifests whose subject is `digest`: the referrers API, or its fallback tag on a 404. */
  referrers(digest: string, options: { artifactType?: string } = {}): Promise<Descriptor[]> {
    return listReferrers(this, digest, options);
  }
}

function subjectDigest(doc: Record<string, unknown> | undefined): string | undefined {
  const subject = doc?.['subject'] as { digest?: unknown } | undefined;
  return typeof subject?.digest === 'string' && isValidDigest(subject.digest) ? subject.digest : undefined;
}
