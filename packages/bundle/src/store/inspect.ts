/**
 * An image described as `skopeo inspect` describes one, from a layout: the
 * shape is skopeo's (containers/image `ImageInspectInfo` as skopeo prints
 * it), so scripts written for skopeo read it unchanged, and the registry
 * transport can return the same shape.
 */
import type { Descriptor } from '@ocikit/image-spec';
import { readBlob } from './blobs.js';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from './limits.js';
import { listRefs, type RefTarget } from './refs.js';
import { lookupRef, resolve, type ResolveOptions } from './resolve.js';

/** A layer as skopeo's `LayersData` lists it. */
export interface InspectedLayer {
  MIMEType: string;
  Digest: string;
  Size: number;
  Annotations: { [key: string]: string } | null;
}

/** What `ocikit inspect` prints; field names and order are skopeo's, `null` where Go prints null. */
export interface ImageInspection {
  /** The image as the caller named it. */
  Name: string;
  /** Digest of what the reference names at the top: for a multi-platform image, its index. */
  Digest: string;
  /** Every ref name in the layout (a layout is the repository here; skopeo leaves this empty for `oci:`). */
  RepoTags: string[];
  /** The config's `created`. */
  Created: string | null;
  /** A Docker config's `docker_version`; empty otherwise. */
  DockerVersion: string;
  Labels: { [key: string]: string } | null;
  Architecture: string;
  /** Present only when the config names a variant (skopeo omits it when empty). */
  Variant?: string;
  Os: string;
  /** Layer digests, in order. */
  Layers: string[];
  LayersData: InspectedLayer[];
  Env: string[] | null;
}

export interface InspectOptions extends ResolveOptions {
  /** `Name` of the result (default `oci:DIR:REF`). */
  name?: string;
}

/**
 * Describe the image `ref` names in the layout at `dir`: for an index, the
 * manifest for the platform (`options.platform`, default this host's; with
 * `strictPlatform`, a single-platform image for another one is refused).
 */
export async function inspectImage(dir: string, ref: RefTarget, options: InspectOptions = {}): Promise<ImageInspection> {
  const { manifest, config, path } = await resolve(dir, ref, options);
  const tags = [...new Set((await listRefs(dir)).map((r) => r.name))].sort();
  const layers: Descriptor[] = manifest.layers;
  const dockerVersion = (config as { docker_version?: unknown }).docker_version;
  return {
    Name: options.name ?? `oci:${dir}${typeof ref === 'string' ? `:${ref}` : `@${ref.digest}`}`,
    Digest: path[0]!.digest,
    RepoTags: tags,
    Created: config.created ?? null,
    DockerVersion: typeof dockerVersion === 'string' ? dockerVersion : '',
    Labels: config.config?.Labels ?? null,
    Architecture: config.architecture,
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os,
    Layers: layers.map((l) => l.digest),
    LayersData: layers.map((l) => ({ MIMEType: l.mediaType, Digest: l.digest, Size: l.size, Annotations: l.annotations ?? null })),
    Env: config.config?.Env ?? null,
  };
}

/**
 * The bytes of the manifest `ref` names, exactly as stored and verified:
 * without a platform, the document at the top (for a multi-platform image,
 * its index); with one, that platform's image manifest.
 */
export async function readManifestBytes(dir: string, ref: RefTarget, options: ResolveOptions = {}): Promise<Buffer> {
  const desc = options.platform === undefined ? await lookupRef(dir, ref) : (await resolve(dir, ref, options)).descriptor;
  return readBlob(dir, desc, MAX_MANIFEST_BYTES);
}

/** The bytes of the config of the image `ref` names (for an index, the platform's), exactly as stored and verified. */
export async function readConfigBytes(dir: string, ref: RefTarget, options: ResolveOptions = {}): Promise<Buffer> {
  const { manifest } = await resolve(dir, ref, options);
  return readBlob(dir, manifest.config, MAX_CONFIG_BYTES);
}
