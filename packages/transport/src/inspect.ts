/**
 * An image in a registry described as `skopeo inspect docker://…` describes
 * it: the same shape as @ocikit/bundle's `inspectImage` gives for a layout
 * (containers/image `ImageInspectInfo` as skopeo prints it), so scripts read
 * either unchanged.
 */
import { MAX_CONFIG_BYTES, type ImageInspection } from '@ocikit/bundle';
import type { Repository } from '@ocikit/distribution';
import { formatPlatform, hostPlatform, InvalidDocumentError, matchPlatform, MediaType, normalizePlatform, parse, parsePlatform, type Descriptor, type PlatformSpec } from '@ocikit/image-spec';
import { q, TransportError, TransportErrorCode, TransportSpecRef } from './errors.js';

/** Which platform to pick from an index. */
export interface RemoteResolveOptions {
  /** `os/arch[/variant]` or an object; default this host's, as skopeo picks. */
  platform?: PlatformSpec | string;
  /** True when the platform was asked for: a single-platform image for another one is refused. */
  strictPlatform?: boolean;
}

export interface RemoteInspectOptions extends RemoteResolveOptions {
  /** `Name` of the result; default `repository.name` (skopeo prints the repository without tag or digest). */
  name?: string;
  /** false: leave `RepoTags` empty instead of listing the repository's tags (skopeo's --no-tags). */
  tags?: boolean;
}

/** The image a reference resolves to: the document at the top, the manifest chosen, its config. */
export interface RemoteImage {
  /** What the reference names: for a multi-platform image, its index. */
  top: { descriptor: Descriptor; bytes: Buffer };
  /** The image manifest (for an index, the platform's). */
  manifest: { descriptor: Descriptor; bytes: Buffer; doc: { config: Descriptor; layers: Descriptor[] } };
}

/** Indexes nest at most this deep before the walk gives up (the same bound as copy's). */
const MAX_INDEX_DEPTH = 8;

const INDEX_TYPES: readonly string[] = [MediaType.ImageIndex, MediaType.DockerManifestList];
const KIND = {
  [MediaType.ImageManifest]: 'image-manifest',
  [MediaType.ImageIndex]: 'image-index',
  [MediaType.DockerManifest]: 'docker-manifest',
  [MediaType.DockerManifestList]: 'docker-manifest-list',
} as const;

function wantedPlatform(options: RemoteResolveOptions): PlatformSpec {
  if (typeof options.platform !== 'string') return normalizePlatform(options.platform ?? hostPlatform());
  try {
    return normalizePlatform(parsePlatform(options.platform));
  } catch (cause) {
    throw new TransportError(TransportErrorCode.InvalidPlatform, `platform ${q(options.platform)} is not os/arch[/variant] (e.g. linux/arm64/v8)`, { cause, ref: TransportSpecRef.IndexPlatform });
  }
}

/** The manifest's document, checked against its media type's schema. */
function parseManifest(where: string, descriptor: Descriptor, bytes: Buffer): unknown {
  const kind = KIND[descriptor.mediaType as keyof typeof KIND];
  if (kind === undefined) {
    throw new TransportError(TransportErrorCode.UnsupportedMediaType, `${where}: manifest ${descriptor.digest} has media type ${q(descriptor.mediaType)}, which is no image manifest or index`, {
      ref: TransportSpecRef.MediaTypes,
    });
  }
  try {
    return parse(kind, JSON.parse(bytes.toString('utf8')) as unknown);
  } catch (cause) {
    const reason = cause instanceof InvalidDocumentError || cause instanceof SyntaxError ? cause.message.split('\n')[0] : undefined;
    if (reason === undefined) throw cause;
    throw new TransportError(TransportErrorCode.InvalidManifest, `${where}: manifest ${descriptor.digest} is not a valid ${kind}: ${reason}`, { cause, ref: TransportSpecRef.MediaTypes });
  }
}

/**
 * What `reference` (a tag or a digest) names in `repo`, down to one image
 * manifest: an index is followed to the manifest for the platform asked for
 * (default this host's; image-spec platform matching, as containers/image
 * chooses).
 */
export async function resolveRemoteImage(repo: Repository, reference: string, options: RemoteResolveOptions = {}): Promise<RemoteImage> {
  const wanted = wantedPlatform(options);
  const where = `${repo.client.registry}/${repo.name}`;
  const top = await repo.getManifest(reference);
  let current = top;
  for (let depth = 0; ; depth++) {
    const doc = parseManifest(where, current.descriptor, current.bytes);
    if (!INDEX_TYPES.includes(current.descriptor.mediaType)) return { top, manifest: { ...current, doc: doc as RemoteImage['manifest']['doc'] } };
    if (depth >= MAX_INDEX_DEPTH) throw new TransportError(TransportErrorCode.GraphTooLarge, `${where}: indexes nest deeper than ${MAX_INDEX_DEPTH} under ${top.descriptor.digest}`);
    const index = doc as { manifests: (Descriptor & { platform?: PlatformSpec })[] };
    const chosen = matchPlatform(index, wanted);
    if (chosen === undefined) {
      const offered = index.manifests.map((d) => (d.platform ? formatPlatform(d.platform) : `${d.digest} (no platform)`));
      throw new TransportError(TransportErrorCode.NoMatchingPlatform, `${where}: index ${current.descriptor.digest} has no manifest for ${formatPlatform(wanted)} (it has: ${offered.join(', ') || 'none'})`, {
        ref: TransportSpecRef.IndexPlatform,
      });
    }
    current = await repo.getManifest(chosen.digest);
  }
}

/** The config blob of a manifest, whole (bounded as a layout's config read is) and verified by the client. */
async function fetchConfig(repo: Repository, config: Descriptor): Promise<Buffer> {
  if (config.size > MAX_CONFIG_BYTES) {
    throw new TransportError(TransportErrorCode.GraphTooLarge, `${repo.client.registry}/${repo.name}: config ${config.digest} is ${config.size} bytes, over the limit of ${MAX_CONFIG_BYTES}`);
  }
  const parts: Buffer[] = [];
  for await (const chunk of repo.fetchBlob(config)) parts.push(chunk);
  return Buffer.concat(parts);
}

interface ConfigFields {
  created?: unknown;
  docker_version?: unknown;
  architecture?: unknown;
  os?: unknown;
  variant?: unknown;
  config?: { Labels?: unknown; Env?: unknown } | null;
}

function configFields(repo: Repository, config: Descriptor, bytes: Buffer): ConfigFields {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc;
  } catch {
    // reported below
  }
  throw new TransportError(TransportErrorCode.InvalidManifest, `${repo.client.registry}/${repo.name}: config ${config.digest} is not a JSON object`, { ref: TransportSpecRef.MediaTypes });
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Refuse an image for another platform than the one asked for explicitly (skopeo's --override-os/--override-arch). */
function checkStrictPlatform(where: string, digest: string, fields: ConfigFields, options: RemoteResolveOptions): void {
  if (!options.strictPlatform || options.platform === undefined) return;
  const wanted = wantedPlatform(options);
  const have: PlatformSpec = { os: str(fields.os), architecture: str(fields.architecture), ...(typeof fields.variant === 'string' && fields.variant !== '' && { variant: fields.variant }) };
  if (have.os === '' || have.architecture === '' || matchPlatform({ manifests: [{ platform: have }] }, wanted) === undefined) {
    const says = have.os !== '' && have.architecture !== '' ? formatPlatform(have) : 'no platform';
    throw new TransportError(TransportErrorCode.NoMatchingPlatform, `${where}: manifest ${digest} is for ${says}, not ${formatPlatform(wanted)}`, { ref: TransportSpecRef.IndexPlatform });
  }
}

/**
 * Describe the image `reference` (tag or digest) names in `repo` as skopeo
 * inspect does: Digest is that of the document at the top (an index for a
 * multi-platform image), the rest comes from the platform's manifest and
 * config; RepoTags lists the repository's tags.
 */
export async function inspectRemoteImage(repo: Repository, reference: string, options: RemoteInspectOptions = {}): Promise<ImageInspection> {
  const image = await resolveRemoteImage(repo, reference, options);
  const { config, layers } = image.manifest.doc;
  const fields = configFields(repo, config, await fetchConfig(repo, config));
  const where = `${repo.client.registry}/${repo.name}`;
  checkStrictPlatform(where, image.manifest.descriptor.digest, fields, options);
  const tags: string[] = [];
  if (options.tags !== false) for await (const t of repo.tags()) tags.push(t);
  const inner = fields.config ?? undefined;
  return {
    Name: options.name ?? where,
    Digest: image.top.descriptor.digest,
    RepoTags: tags,
    Created: typeof fields.created === 'string' ? fields.created : null,
    DockerVersion: str(fields.docker_version),
    Labels: (inner?.Labels as ImageInspection['Labels'] | undefined) ?? null,
    Architecture: str(fields.architecture),
    ...(typeof fields.variant === 'string' && fields.variant !== '' && { Variant: fields.variant }),
    Os: str(fields.os),
    Layers: layers.map((l) => l.digest),
    LayersData: layers.map((l) => ({ MIMEType: l.mediaType, Digest: l.digest, Size: l.size, Annotations: l.annotations ?? null })),
    Env: (inner?.Env as string[] | undefined) ?? null,
  };
}

/**
 * The manifest bytes exactly as the registry serves them: without a
 * platform, what `reference` names (an index for a multi-platform image);
 * with one, that platform's image manifest.
 */
export async function readRemoteManifestBytes(repo: Repository, reference: string, options: RemoteResolveOptions = {}): Promise<Buffer> {
  if (options.platform === undefined) return (await repo.getManifest(reference)).bytes;
  const image = await resolveRemoteImage(repo, reference, options);
  if (options.strictPlatform) {
    const { config } = image.manifest.doc;
    checkStrictPlatform(`${repo.client.registry}/${repo.name}`, image.manifest.descriptor.digest, configFields(repo, config, await fetchConfig(repo, config)), options);
  }
  return image.manifest.bytes;
}

/** The config bytes of the image `reference` names (for an index, the platform's), exactly as stored and verified. */
export async function readRemoteConfigBytes(repo: Repository, reference: string, options: RemoteResolveOptions = {}): Promise<Buffer> {
  const image = await resolveRemoteImage(repo, reference, options);
  const { config } = image.manifest.doc;
  const bytes = await fetchConfig(repo, config);
  checkStrictPlatform(`${repo.client.registry}/${repo.name}`, image.manifest.descriptor.digest, configFields(repo, config, bytes), options);
  return bytes;
}
