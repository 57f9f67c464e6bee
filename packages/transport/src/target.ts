/**
 * The two sides of a copy. Every place images live (a layout, an
 * oci-archive, a registry) implements one or both; `copyImage` walks the
 * graph between them and never learns how either stores bytes (the shape of
 * oras-go's `oras.Target` and go-containerregistry's `v1.Image`).
 *
 * Contract shared by every implementation: what a source yields is verified
 * against the descriptor asked for (size, then digest by the end of the
 * stream, throwing before the last chunk on a mismatch); a destination
 * keeps nothing from a stream that threw, checks sizes as it writes (a
 * registry checks the digest of what it receives too), and only a commit
 * makes anything visible under a name.
 */
import type { Descriptor } from '@ocikit/image-spec';

/** Where an image is read from. */
export interface ImageSource {
  /** The reference as given (`oci:dir:v1`), for messages. */
  readonly name: string;
  /**
   * The descriptor the reference names: a manifest or an index. `platform`
   * (`os/arch[/variant]`) decides between several descriptors that share a
   * name in a layout's index.json.
   */
  resolve(options?: { platform?: string }): Promise<Descriptor>;
  /** The manifest or index bytes, whole and verified (bounded by image-spec's manifest size limit). */
  fetchManifest(desc: Descriptor): Promise<Buffer>;
  /**
   * The blob in chunks, verified while it streams: a mismatch throws before
   * the last chunk is yielded. The chunks are the caller's to keep: a source
   * never writes again to memory it has yielded.
   */
  fetchBlob(desc: Descriptor): AsyncIterable<Uint8Array>;
  /** Manifests and indexes whose `subject` is `desc` (image-spec manifest.md "subject"), optionally of one artifact type. */
  referrers(desc: Descriptor, artifactType?: string): Promise<Descriptor[]>;
  /** Release what opening took (an extracted archive, connections). */
  close(): Promise<void>;
}

/** How a blob reached the destination. */
export const BlobTransfer = {
  /** Its bytes were written. */
  Copied: 'copied',
  /** The destination took it from another repository of its own (a registry's cross-repository mount). */
  Mounted: 'mounted',
} as const;
export type BlobTransfer = (typeof BlobTransfer)[keyof typeof BlobTransfer];

export interface PushBlobOptions {
  /** Repositories of the same registry the blob may be mounted from instead of uploaded (registries only). */
  mountFrom?: readonly string[];
  /** Bytes written so far of this blob, as they are written. */
  onBytes?: (done: number) => void;
}

/** Where an image is written to. Nothing is named until `commit`; `abort` leaves the destination as it was (verified blobs aside). */
export interface ImageDestination {
  /** The reference as given (`oci-archive:out.tar:v1`), for messages. */
  readonly name: string;
  /** Whether the destination already holds this blob. */
  hasBlob(desc: Descriptor): Promise<boolean>;
  /**
   * Write a blob. `open(offset)` yields its bytes from `offset` (a
   * destination that resumes an interrupted upload asks for the rest); the
   * destination verifies them against `desc` while writing and keeps nothing
   * that does not match.
   */
  pushBlob(desc: Descriptor, open: (offset: number) => AsyncIterable<Uint8Array>, options?: PushBlobOptions): Promise<BlobTransfer>;
  /** Whether the destination already holds this manifest or index. */
  hasManifest(desc: Descriptor): Promise<boolean>;
  /** Write a manifest or index, byte for byte (its digest never changes), after every blob and child it names. */
  pushManifest(desc: Descriptor, bytes: Buffer): Promise<void>;
  /**
   * Name `desc` with the destination's own reference, when it has one
   * (a layout's ref name, a registry tag); takes effect at `commit`
   * (a registry may apply it at once: a tag is its commit).
   */
  tag(desc: Descriptor, bytes: Buffer): Promise<void>;
  /** Make the copy visible: a layout's index.json, an archive file replaced whole. */
  commit(): Promise<void>;
  /** Give up: nothing is named, scratch is removed. Safe after a failed or a finished commit. */
  abort(): Promise<void>;
}
