/**
 * `oci:` and `oci-archive:` as a copy's two sides, over @ocikit/bundle's
 * Layout. A source reads blobs verified as they stream (bundle's openBlob);
 * a destination writes into a layout target (bundle's openLayoutTarget: the
 * directory itself, or an archive's work tree in scratch), each blob verified
 * again as it is written and renamed into place, and names the image only at
 * commit, under the layout's (or archive's) lock.
 */
import { setLayoutTargetRef, type Layout, type LayoutTarget, type RefTarget } from '@ocikit/bundle';
import { matchPlatform, type Descriptor } from '@ocikit/image-spec';
import { Limits } from '@ocikit/validation';
import { q, TransportError, TransportErrorCode } from '../errors.js';
import { BlobTransfer, type ImageDestination, type ImageSource, type PushBlobOptions } from '../target.js';

/** A layout read as a copy's source. `release` runs at close (an extracted archive's removal). */
export class LayoutSource implements ImageSource {
  private referrerMap: Promise<Map<string, Descriptor[]>> | undefined;

  constructor(
    readonly name: string,
    readonly layout: Layout,
    private readonly target: RefTarget,
    private readonly release: () => void = () => {},
  ) {}

  async resolve(options: { platform?: string } = {}): Promise<Descriptor> {
    const found = await this.layout.descriptors(this.target);
    if (found.length === 1) return found[0]!;
    const what = typeof this.target === 'string' ? q(this.target) : this.target.digest;
    if (found.length === 0) {
      const names = (await this.layout.listRefs()).map((r) => q(r.name));
      throw new TransportError(TransportErrorCode.NotFound, `${this.name}: no image ${what} (names: ${names.length ? [...new Set(names)].join(', ') : 'none'})`);
    }
    // A name given to several descriptors (one per platform): the platform decides, as in `ocikit unpack`.
    const chosen = options.platform === undefined ? undefined : matchPlatform({ manifests: found }, options.platform);
    if (chosen !== undefined) return chosen;
    throw new TransportError(TransportErrorCode.AmbiguousReference, `${this.name}: ${what} names ${found.length} manifests; choose one with a platform or a digest (${found.map((d) => d.digest).join(', ')})`);
  }

  fetchManifest(desc: Descriptor): Promise<Buffer> {
    return this.layout.readBlob(desc, Limits.ManifestBytes);
  }

  fetchBlob(desc: Descriptor): AsyncIterable<Uint8Array> {
    return this.layout.openBlob(desc);
  }

  async referrers(desc: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    // A layout has no referrers index: every blob that could be one is read once, on first use.
    this.referrerMap ??= this.layout.referrers();
    const all = (await this.referrerMap).get(desc.digest) ?? [];
    return artifactType === undefined ? all : all.filter((d) => d.artifactType === artifactType);
  }

  close(): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}

export interface LayoutDestinationOptions {
  /** Modification time (seconds since the epoch) of an archive's entries (default: now). */
  created?: number;
}

/** A layout target (directory or archive work tree) written as a copy's destination. */
export class LayoutDestination implements ImageDestination {
  private named: Descriptor | undefined;
  /** Every blob the named image needs, carried when another writer replaced the archive meanwhile. */
  private readonly needed = new Map<string, Descriptor>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly target: LayoutTarget,
    private readonly ref: string,
    private readonly options: LayoutDestinationOptions = {},
  ) {}

  private need(desc: Descriptor): void {
    this.needed.set(desc.digest, { mediaType: desc.mediaType, digest: desc.digest, size: desc.size });
  }

  hasBlob(desc: Descriptor): Promise<boolean> {
    this.need(desc);
    return Promise.resolve(this.target.layout.hasBlob(desc.digest));
  }

  async pushBlob(desc: Descriptor, open: (offset: number) => AsyncIterable<Uint8Array>, options: PushBlobOptions = {}): Promise<BlobTransfer> {
    this.need(desc);
    let done = 0;
    // Sources verify what they yield before their last chunk, and never write to a chunk again (target.ts): no second digest, no copy.
    await this.target.layout.putBlob(desc, open(0), { sourceVerified: true, stableChunks: true, onChunk: (n) => options.onBytes?.((done += n)) });
    return BlobTransfer.Copied;
  }

  hasManifest(desc: Descriptor): Promise<boolean> {
    return this.hasBlob(desc);
  }

  async pushManifest(desc: Descriptor, bytes: Buffer): Promise<void> {
    this.need(desc);
    if (this.target.layout.hasBlob(desc.digest)) return;
    await this.target.layout.putBlob(desc, [bytes]);
  }

  tag(desc: Descriptor): Promise<void> {
    this.named = desc;
    return Promise.resolve();
  }

  async commit(): Promise<void> {
    if (this.closed) throw new Error(`${this.name}: commit after the destination was closed`);
    try {
      if (this.named !== undefined) {
        await setLayoutTargetRef(this.target, this.ref, this.named, this.options.created ?? Math.floor(Date.now() / 1000), { carry: [...this.needed.values()] });
      }
    } finally {
      this.close();
    }
  }

  abort(): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.target.close();
  }
}
