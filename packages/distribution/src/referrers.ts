/**
 * Referrers (distribution-spec v1.1 "Listing Referrers", "Referrers Tag
 * Schema", "Pushing Manifests with Subject", "Deleting Manifests"): the
 * referrers API when the registry has it, else an image index kept by
 * clients under the tag `<alg>-<ref>` of the subject's digest.
 */
import { parseDigest } from '@ocikit/digest';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { bareMediaType, jsonObject, MANIFEST_SIZE_LIMIT } from './client/content.js';
import type { Repository } from './client/repository.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { linkTarget } from './http/link.js';
import { header, readBody } from './http/transport.js';
import { redactUrl } from './http/url.js';

/** "Referrers Tag Schema": `<alg>-<ref>`, the encoded part cut to 64 characters (a tag's limit is 128). */
export function referrersTag(subject: string): string {
  const { algorithm, encoded } = parseDigest(subject);
  return `${algorithm}-${encoded.slice(0, 64)}`;
}

/**
 * The descriptor of a referrer as the referrers list holds it: its
 * `artifactType`, or for an image manifest without one its config's media
 * type; every annotation of the manifest.
 */
export function referrerDescriptor(desc: Descriptor, doc: Record<string, unknown>): Descriptor {
  const out: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  const own = doc['artifactType'];
  const config = (doc['config'] as { mediaType?: unknown } | undefined)?.mediaType;
  if (typeof own === 'string' && own !== '') out.artifactType = own;
  else if (desc.mediaType !== MediaType.ImageIndex && typeof config === 'string' && config !== '') out.artifactType = config;
  const annotations = doc['annotations'];
  if (annotations && typeof annotations === 'object' && Object.keys(annotations).length > 0) out.annotations = { ...(annotations as Record<string, string>) };
  return out;
}

function emptyIndex(): { schemaVersion: 2; mediaType: string; manifests: Descriptor[] } {
  return { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [] };
}

function isNotFound(err: unknown): boolean {
  return err instanceof RegistryError && err.status === 404;
}

/** The fallback index for `subject`: the index, 'missing' (404), or 'other' (the tag holds something else). */
async function readFallbackIndex(repo: Repository, subject: string): Promise<{ manifests: Descriptor[]; doc: Record<string, unknown> } | 'missing' | 'other'> {
  let got;
  try {
    got = await repo.getManifest(referrersTag(subject));
  } catch (err) {
    if (isNotFound(err)) return 'missing';
    if (err instanceof RegistryError && err.code === RegistryErrorCode.UnsupportedMediaType) return 'other';
    throw err;
  }
  const doc = jsonObject(got.bytes);
  if (got.descriptor.mediaType !== MediaType.ImageIndex || !doc || !Array.isArray(doc['manifests'])) return 'other';
  return { manifests: doc['manifests'] as Descriptor[], doc };
}

async function writeFallbackIndex(repo: Repository, subject: string, doc: Record<string, unknown>): Promise<void> {
  await repo.putManifest(referrersTag(subject), Buffer.from(JSON.stringify(doc)), MediaType.ImageIndex);
}

/**
 * Add `entry` to the fallback index of `subject`: pull it (404: start empty;
 * something other than an index: fail and change nothing), skip a
 * duplicate, append, push. Without the referrers API nothing guards against
 * a concurrent writer (the spec leaves that to clients and users).
 */
export async function addToFallbackIndex(repo: Repository, subject: string, entry: Descriptor): Promise<void> {
  const current = await readFallbackIndex(repo, subject);
  if (current === 'other') {
    throw new RegistryError(
      RegistryErrorCode.Protocol,
      `${repo.client.registry}/${repo.name}:${referrersTag(subject)} is not an image index; the referrers fallback tag was left unchanged`,
    );
  }
  const doc = current === 'missing' ? emptyIndex() : current.doc;
  const manifests = current === 'missing' ? [] : current.manifests;
  if (manifests.some((m) => m?.digest === entry.digest)) return;
  await writeFallbackIndex(repo, subject, { ...doc, manifests: [...manifests, entry] });
}

/** Remove `digest` from the fallback index of `subject`, when the registry has no referrers API. */
export async function removeFromFallbackIndex(repo: Repository, subject: string, digest: string): Promise<void> {
  const probe = await repo.client.request({
    method: 'GET',
    target: repo.path('referrers', subject),
    scopes: repo.pullScopes,
    expect: [200, 404],
    repository: repo.name,
  });
  probe.body.destroy();
  if (probe.status !== 404) return;
  const current = await readFallbackIndex(repo, subject);
  if (current === 'missing' || current === 'other') return;
  const kept = current.manifests.filter((m) => m?.digest !== digest);
  if (kept.length === current.manifests.length) return;
  await writeFallbackIndex(repo, subject, { ...current.doc, manifests: kept });
}

/** Referrers of `subject`, filtered by artifactType here when the registry did not (OCI-Filters-Applied). */
export async function listReferrers(repo: Repository, subject: string, options: { artifactType?: string } = {}): Promise<Descriptor[]> {
  const first = repo.client.url(repo.path('referrers', subject));
  if (options.artifactType !== undefined) first.searchParams.set('artifactType', options.artifactType);
  const found: Descriptor[] = [];
  let filtered = true;
  let url: URL | undefined = first;
  const seen = new Set<string>();
  while (url) {
    if (seen.has(url.href)) throw new RegistryError(RegistryErrorCode.Protocol, `GET ${redactUrl(url)}: the registry's pages loop`, { url: redactUrl(url) });
    seen.add(url.href);
    const res = await repo.client.request({
      method: 'GET',
      target: url,
      headers: { accept: MediaType.ImageIndex },
      scopes: repo.pullScopes,
      expect: seen.size === 1 ? [200, 404] : [200],
      repository: repo.name,
    });
    if (res.status === 404) {
      // "Unavailable Referrers API": the fallback tag; anything but an index there means no referrers.
      res.body.destroy();
      const current = await readFallbackIndex(repo, subject);
      if (current === 'missing' || current === 'other') return [];
      found.push(...current.manifests.filter((m) => m && typeof m === 'object'));
      filtered = false;
      break;
    }
    const applied = (header(res, 'oci-filters-applied') ?? '').split(',').map((s) => s.trim());
    if (!applied.includes('artifactType')) filtered = false;
    const next = linkTarget(header(res, 'link'), 'next', res.url);
    const raw = await readBody(res, MANIFEST_SIZE_LIMIT, 'referrers list');
    const doc = jsonObject(raw);
    if (!doc || !Array.isArray(doc['manifests']) || bareMediaType(header(res, 'content-type')) !== MediaType.ImageIndex) {
      throw new RegistryError(RegistryErrorCode.Protocol, `GET ${redactUrl(res.url)}: the referrers response is not an image index`, { url: redactUrl(res.url) });
    }
    found.push(...(doc['manifests'] as Descriptor[]));
    url = next;
  }
  return options.artifactType !== undefined && !filtered ? found.filter((d) => d.artifactType === options.artifactType) : found;
}
