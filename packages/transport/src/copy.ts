/**
 * One copy between any source and destination: resolve, walk the graph,
 * then write blobs before manifests and children before parents, so the
 * destination never holds a manifest whose content it lacks (the order of
 * oras-go's `oras.Copy` and `crane copy`). Manifests are copied byte for
 * byte: digests never change. Every byte is verified twice: by the source
 * as it streams and by the destination as it writes.
 */
import { DigestError } from '@ocikit/digest';
import { formatPlatform, InvalidDocumentError, matchPlatform, MediaType, parse, parsePlatform, type Descriptor, type PlatformSpec } from '@ocikit/image-spec';
import { Limits } from '@ocikit/validation';
import { forEachLimit } from './concurrency.js';
import { q, TransportError, TransportErrorCode, TransportSpecRef } from './errors.js';
import { BlobTransfer, type ImageDestination, type ImageSource } from './target.js';

/** The manifest media types a copy walks, and the image-spec document kind of each. */
export const WALKABLE_TYPES = {
  [MediaType.ImageManifest]: 'image-manifest',
  [MediaType.ImageIndex]: 'image-index',
  [MediaType.DockerManifest]: 'docker-manifest',
  [MediaType.DockerManifestList]: 'docker-manifest-list',
} as const;
type WalkableType = keyof typeof WALKABLE_TYPES;

/** What a blob is doing; one event when it starts and one when it ends, `copying` ones in between. */
export const BlobState = {
  Skipped: 'skipped',
  Copying: 'copying',
  Done: 'done',
  Mounted: 'mounted',
} as const;
export type BlobState = (typeof BlobState)[keyof typeof BlobState];

export interface CopyProgress {
  digest: string;
  mediaType: string;
  size: number;
  /** Bytes written so far (the whole size once skipped, mounted or done). */
  done: number;
  state: BlobState;
}

/** Bounds of the walk: deeper nesting or more referrers is GRAPH_TOO_LARGE rather than an endless copy. */
export const MAX_DEPTH = 16;
export const MAX_REFERRERS = 1000;

export interface CopyOptions {
  /** `os/arch[/variant]`: copy only the manifest of an index for this platform (default: the whole index). */
  platform?: string;
  /** Copy the referrers of every manifest copied, theirs too, recursively (default false). */
  referrers?: boolean;
  /** Blobs transferred at once (default 4). */
  jobs?: number;
  /** Repositories the destination may mount blobs from (registries). */
  mountFrom?: readonly string[];
  /** Per-blob progress; the library prints nothing. */
  onProgress?: (p: CopyProgress) => void;
  /** At most this many referrers in all (default MAX_REFERRERS). */
  maxReferrers?: number;
}

export interface CopyResult {
  /** The descriptor copied and named at the destination. */
  descriptor: Descriptor;
  /** Manifests and indexes in the copied graph (referrers included). */
  manifests: number;
  blobs: { copied: number; skipped: number; mounted: number };
  /** Bytes written to the destination (blobs copied and manifests written). */
  bytes: number;
}

/** What a copy will take, read and checked before a byte is written. */
export interface CopyPlan {
  /** The descriptor to copy and name (the platform's manifest when one was chosen). */
  root: Descriptor;
  /** Manifests and indexes with their verified bytes: children before parents, referrers after their subject. */
  manifests: readonly { desc: Descriptor; bytes: Buffer }[];
  /** The blobs they name (configs, layers), each once. */
  blobs: readonly Descriptor[];
}

/**
 * Resolve the source and read its graph (every manifest fetched, verified,
 * parsed and checked; the platform chosen; referrers found), writing
 * nothing: what is refused here never touches a destination.
 */
export async function planCopy(source: ImageSource, options: Pick<CopyOptions, 'platform' | 'referrers' | 'maxReferrers'> = {}): Promise<CopyPlan> {
  if (options.platform !== undefined) checkPlatform(options.platform);
  let root = await source.resolve(options.platform === undefined ? {} : { platform: options.platform });
  const graph = new Graph(source, options);
  if (options.platform !== undefined) root = await graph.choosePlatform(root, options.platform);
  await graph.visit(root, 0);
  return { root, manifests: graph.manifests, blobs: [...graph.blobs.values()] };
}

/**
 * Copy the image `source` names to `destination`, which is committed on
 * success and aborted on failure. `plan` (from planCopy with the same
 * source and options) saves reading the graph again.
 */
export async function copyImage(source: ImageSource, destination: ImageDestination, options: CopyOptions = {}, plan?: CopyPlan): Promise<CopyResult> {
  try {
    const jobs = options.jobs ?? 4;
    if (!Number.isSafeInteger(jobs) || jobs < 1) throw new RangeError(`jobs must be a whole number of at least 1, not ${jobs}`);
    const { root, manifests, blobs } = plan ?? (await planCopy(source, options));
    const result: CopyResult = { descriptor: root, manifests: manifests.length, blobs: { copied: 0, skipped: 0, mounted: 0 }, bytes: 0 };
    const emit = options.onProgress ?? (() => {});
    await forEachLimit(blobs, jobs, async (d) => {
      const base = { digest: d.digest, mediaType: d.mediaType, size: d.size };
      if (await destination.hasBlob(d)) {
        result.blobs.skipped++;
        emit({ ...base, done: d.size, state: BlobState.Skipped });
        return;
      }
      emit({ ...base, done: 0, state: BlobState.Copying });
      let how: BlobTransfer;
      try {
        how = await destination.pushBlob(d, (offset) => fromOffset(source.fetchBlob(d), offset), {
          ...(options.mountFrom !== undefined && { mountFrom: options.mountFrom }),
          onBytes: (done) => emit({ ...base, done, state: BlobState.Copying }),
        });
      } catch (err) {
        throw placed(err, `${source.name}: blob ${d.digest}`);
      }
      if (how === BlobTransfer.Mounted) result.blobs.mounted++;
      else {
        result.blobs.copied++;
        result.bytes += d.size;
      }
      emit({ ...base, done: d.size, state: how === BlobTransfer.Mounted ? BlobState.Mounted : BlobState.Done });
    });
    for (const { desc, bytes } of manifests) {
      if (await destination.hasManifest(desc)) continue;
      await destination.pushManifest(desc, bytes);
      result.bytes += bytes.length;
    }
    await destination.tag(root, manifests.find((m) => m.desc.digest === root.digest)!.bytes);
    await destination.commit();
    return result;
  } catch (err) {
    await destination.abort();
    throw err;
  }
}

/** The manifests (children before parents, referrers after their subject) and blobs of what a copy takes. */
class Graph {
  readonly manifests: { desc: Descriptor; bytes: Buffer }[] = [];
  readonly blobs = new Map<string, Descriptor>();
  private readonly seen = new Set<string>();
  private readonly fetched = new Map<string, Buffer>();
  private referrerCount = 0;

  constructor(
    private readonly source: ImageSource,
    private readonly options: Pick<CopyOptions, 'referrers' | 'maxReferrers'>,
  ) {}

  private async read(desc: Descriptor): Promise<{ kind: (typeof WALKABLE_TYPES)[WalkableType]; doc: unknown; bytes: Buffer }> {
    if (!Object.prototype.hasOwnProperty.call(WALKABLE_TYPES, desc.mediaType)) {
      throw new TransportError(
        TransportErrorCode.UnsupportedMediaType,
        `${this.source.name}: manifest ${desc.digest} has media type ${q(String(desc.mediaType))}; a copy walks ${Object.keys(WALKABLE_TYPES).join(', ')}`,
        { ref: TransportSpecRef.MediaTypes },
      );
    }
    const kind = WALKABLE_TYPES[desc.mediaType as WalkableType];
    let bytes = this.fetched.get(desc.digest);
    if (bytes === undefined) {
      try {
        bytes = await this.source.fetchManifest(desc);
      } catch (err) {
        throw placed(err, `${this.source.name}: manifest ${desc.digest}`);
      }
      this.fetched.set(desc.digest, bytes);
    }
    let doc: unknown;
    try {
      doc = parse(kind, bytes);
    } catch (cause) {
      if (!(cause instanceof InvalidDocumentError)) throw cause;
      throw new TransportError(TransportErrorCode.InvalidManifest, `${this.source.name}: manifest ${desc.digest} is not a valid ${kind}: ${cause.message}`, { cause });
    }
    // The document's own mediaType, when it states one, must be the descriptor's (image-spec manifest.md, image-index.md).
    const own = (doc as { mediaType?: unknown }).mediaType;
    if (own !== undefined && own !== desc.mediaType) {
      throw new TransportError(TransportErrorCode.InvalidManifest, `${this.source.name}: manifest ${desc.digest} says mediaType ${JSON.stringify(own)}, its descriptor ${q(desc.mediaType)}`, {
        ref: TransportSpecRef.MediaTypes,
      });
    }
    return { kind, doc, bytes };
  }

  /**
   * The manifest of `root` for `platform`: the best match of an index
   * (image-spec platform matching, nested indexes followed), or `root` itself
   * when it is a manifest whose config is for that platform.
   */
  async choosePlatform(root: Descriptor, platform: string, depth = 0): Promise<Descriptor> {
    if (depth > MAX_DEPTH) throw new TransportError(TransportErrorCode.GraphTooLarge, `${this.source.name}: indexes nest deeper than ${MAX_DEPTH}`);
    const { kind, doc } = await this.read(root);
    if (kind === 'image-index' || kind === 'docker-manifest-list') {
      const index = doc as { manifests: (Descriptor & { platform?: PlatformSpec })[] };
      const chosen = matchPlatform(index, platform);
      if (chosen === undefined) {
        const offered = index.manifests.map((d) => (d.platform ? formatPlatform(d.platform) : `${d.digest} (no platform)`));
        throw new TransportError(TransportErrorCode.NoMatchingPlatform, `${this.source.name}: index ${root.digest} has no manifest for ${platform} (it has: ${offered.join(', ') || 'none'})`, {
          ref: TransportSpecRef.IndexPlatform,
        });
      }
      return this.choosePlatform(chosen, platform, depth + 1);
    }
    const config = (doc as { config: Descriptor }).config;
    const configDoc = await this.readConfig(config);
    const have = { os: configDoc.os, architecture: configDoc.architecture, ...(configDoc.variant !== undefined && { variant: configDoc.variant }) };
    if (typeof have.os !== 'string' || typeof have.architecture !== 'string' || matchPlatform({ manifests: [{ platform: have as PlatformSpec }] }, platform) === undefined) {
      const says = typeof have.os === 'string' && typeof have.architecture === 'string' ? formatPlatform(have as PlatformSpec) : 'no platform';
      throw new TransportError(TransportErrorCode.NoMatchingPlatform, `${this.source.name}: manifest ${root.digest} is for ${says}, not ${platform}`, { ref: TransportSpecRef.IndexPlatform });
    }
    return root;
  }

  private async readConfig(config: Descriptor): Promise<{ os?: unknown; architecture?: unknown; variant?: unknown }> {
    if (config.size > Limits.ManifestBytes.value) return {};
    const parts: Uint8Array[] = [];
    try {
      for await (const c of this.source.fetchBlob(config)) parts.push(c);
    } catch (err) {
      throw placed(err, `${this.source.name}: config ${config.digest}`);
    }
    try {
      const doc = JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
      return typeof doc === 'object' && doc !== null ? doc : {};
    } catch {
      return {};
    }
  }

  /** Take `desc` and everything it names; with `referrers`, then what refers to it. */
  async visit(desc: Descriptor, depth: number): Promise<void> {
    if (this.seen.has(desc.digest)) return;
    this.seen.add(desc.digest);
    if (depth > MAX_DEPTH) throw new TransportError(TransportErrorCode.GraphTooLarge, `${this.source.name}: manifests nest deeper than ${MAX_DEPTH} at ${desc.digest}`);
    const { kind, doc, bytes } = await this.read(desc);
    if (kind === 'image-index' || kind === 'docker-manifest-list') {
      for (const child of (doc as { manifests: Descriptor[] }).manifests) await this.visit(child, depth + 1);
    } else {
      const m = doc as { config: Descriptor; layers: Descriptor[] };
      for (const b of [m.config, ...m.layers]) if (!this.blobs.has(b.digest)) this.blobs.set(b.digest, b);
    }
    // Keep the descriptor as the parent names it (platform, annotations), as the index carries it.
    this.manifests.push({ desc, bytes });
    if (this.options.referrers !== true) return;
    const max = this.options.maxReferrers ?? MAX_REFERRERS;
    for (const r of await this.source.referrers(desc)) {
      if (this.seen.has(r.digest)) continue;
      if (++this.referrerCount > max) {
        throw new TransportError(TransportErrorCode.GraphTooLarge, `${this.source.name}: more than ${max} referrers`, { ref: TransportSpecRef.Subject });
      }
      await this.visit(r, depth + 1);
    }
  }
}

function checkPlatform(platform: string): void {
  try {
    parsePlatform(platform);
  } catch (cause) {
    throw new TransportError(TransportErrorCode.InvalidPlatform, `platform ${q(platform)} is not os/arch[/variant] (e.g. linux/arm64/v8)`, { cause, ref: TransportSpecRef.IndexPlatform });
  }
}

/** The stream from byte `offset` on (the source still reads, and verifies, all of it). */
async function* fromOffset(stream: AsyncIterable<Uint8Array>, offset: number): AsyncGenerator<Uint8Array> {
  let skip = offset;
  for await (const c of stream) {
    if (skip >= c.length) {
      skip -= c.length;
      continue;
    }
    yield skip > 0 ? c.subarray(skip) : c;
    skip = 0;
  }
}

/** Say where a verification failure arose, keeping its class and code. */
function placed(err: unknown, where: string): unknown {
  if (err instanceof DigestError && !err.message.startsWith(where)) err.message = `${where}: ${err.message}`;
  return err;
}
