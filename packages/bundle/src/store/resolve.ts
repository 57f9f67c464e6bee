/**
 * Reference resolution: from a `ref.name` in index.json, through nested
 * indexes (choosing the platform with image-spec's matchPlatform), to an
 * image manifest and its config.
 */
import { formatPlatform, hostPlatform, matchPlatform, normalizePlatform, parsePlatform, type Descriptor, type ImageConfig, type PlatformSpec } from '@ocikit/image-spec';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { checkMediaType, indexKind, INDEX_TYPES, MANIFEST_TYPES, readDocument, readImage, type Manifest } from './documents.js';
import { findDescriptors, readIndex, refNotFound, showTarget, type RefTarget } from './refs.js';

export interface ResolveOptions {
  /** Wanted platform (`os/arch[/variant]` or an object); default the host's. */
  platform?: PlatformSpec | string;
  /** True when the platform was asked for explicitly (a config for another one is then refused). */
  strictPlatform?: boolean;
}

/** What a reference resolves to: a manifest and its config. */
export interface ResolvedImage {
  /** Descriptor of the image manifest (from index.json or a nested index). */
  descriptor: Descriptor;
  manifest: Manifest;
  config: ImageConfig;
  /** Descriptors walked from index.json down to the manifest. */
  path: Descriptor[];
}

/** Indexes nested deeper than this are refused (a cycle, or a hostile layout). */
export const MAX_INDEX_DEPTH = 8;

/** The platform `options` ask for (default: this host's), normalised. */
function wantedPlatform(options: ResolveOptions): PlatformSpec {
  return normalizePlatform(typeof options.platform === 'string' ? parsePlatformArg(options.platform) : (options.platform ?? hostPlatform()));
}

/**
 * The descriptor a reference names at the top: in index.json (the one for
 * the platform when a name has several), or found by digest. For a
 * multi-platform image this is the index itself.
 */
export async function lookupRef(dir: string, ref: RefTarget, options: ResolveOptions = {}): Promise<Descriptor> {
  const index = await readIndex(dir);
  const named = await findDescriptors(dir, index, ref);
  if (named.length === 0) throw refNotFound(dir, ref, index);
  return choose(named, wantedPlatform(options), `reference ${showTarget(ref)}`);
}

/**
 * Resolve a reference (`ref.name` annotation in index.json, or a digest) of
 * the layout at `dir` to an image manifest, descending through nested
 * indexes and choosing the platform.
 */
export async function resolve(dir: string, ref: RefTarget, options: ResolveOptions = {}): Promise<ResolvedImage> {
  const wanted = wantedPlatform(options);
  let desc = await lookupRef(dir, ref, options);
  const walked: Descriptor[] = [desc];
  for (let depth = 0; INDEX_TYPES.includes(desc.mediaType); depth++) {
    if (depth >= MAX_INDEX_DEPTH) throw new BundleError(BundleErrorCode.InvalidDocument, `reference ${showTarget(ref)}: indexes nested more than ${MAX_INDEX_DEPTH} deep`);
    const nested = await readDocument(dir, desc, indexKind(desc.mediaType));
    checkMediaType(nested.mediaType, desc, 'index');
    desc = choose(nested.manifests, wanted, `index ${desc.digest}`);
    walked.push(desc);
  }
  if (!MANIFEST_TYPES.includes(desc.mediaType)) {
    throw new BundleError(BundleErrorCode.UnsupportedMediaType, `reference ${showTarget(ref)} names a ${q(desc.mediaType)}, not an image manifest or index`);
  }
  const { manifest, config } = await readImage(dir, desc);
  const configPlatform: PlatformSpec = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  if (options.strictPlatform && matchPlatform({ manifests: [{ platform: configPlatform }] }, wanted) === undefined) {
    throw new BundleError(BundleErrorCode.NoMatchingPlatform, `image ${showTarget(ref)} is for ${config.os}/${config.architecture}, not ${formatPlatform(wanted)}`);
  }
  return { descriptor: desc, manifest, config, path: walked };
}

/**
 * One descriptor among `candidates`: the only one, or the best for the
 * platform (image-spec's matchPlatform: exact first, then older variants).
 */
function choose(candidates: Descriptor[], wanted: PlatformSpec, what: string): Descriptor {
  if (candidates.length === 1 && candidates[0]!.platform === undefined) return candidates[0]!;
  const match = matchPlatform({ manifests: candidates }, wanted);
  if (match !== undefined) return match;
  const unlabelled = candidates.filter((d) => d.platform === undefined);
  if (unlabelled.length === 1) return unlabelled[0]!;
  if (unlabelled.length > 1) {
    throw new BundleError(BundleErrorCode.AmbiguousRef, `${what} matches ${unlabelled.length} manifests that name no platform`);
  }
  const offered = candidates.map((d) => (d.platform ? formatPlatform(d.platform) : '?')).join(', ');
  throw new BundleError(BundleErrorCode.NoMatchingPlatform, `${what} has no manifest for ${formatPlatform(wanted)} (offers ${offered})`);
}

function parsePlatformArg(text: string): PlatformSpec {
  try {
    return parsePlatform(text);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.NoMatchingPlatform, `platform ${q(text)} is not os/arch[/variant]`, { cause });
  }
}
