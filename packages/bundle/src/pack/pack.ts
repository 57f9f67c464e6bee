/**
 * Bundle to image, like `umoci repack`: a new layer holding what changed in
 * the rootfs since unpack (or, for a bundle that was not unpacked by
 * ocikit, the whole rootfs as one layer), the image config updated
 * (`rootfs.diff_ids`, `history`, and config.json edits carried back), a new
 * manifest, and the reference pointed at it in index.json.
 *
 * Reproducible: entries are sorted, headers normalised, compression
 * deterministic, and every time stamp comes from SOURCE_DATE_EPOCH when set
 * (entry mtimes are clamped to it) or else from the bundle itself (the
 * newest mtime in it), never from the clock: the same bundle packs to the
 * same manifest digest every time.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { MediaType, type Descriptor, type ImageConfig, type PlatformSpec } from '@ocikit/image-spec';
import { Limits, readRegularFile } from '@ocikit/validation';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { readBundleConfig } from '../tree/bundle.js';
import { walkDepthFirst, walkTree, type WalkEntry } from '../tree/walk.js';
import { ConfinedRoot } from '../fs/confine.js';
import { openLayout } from '../store/archive.js';
import { copyBlob } from '../store/blobs.js';
import type { Manifest } from '../store/documents.js';
import type { Layout } from '../store/layout.js';
import { checkRefName } from '../store/refs.js';
import { PROVENANCE_FILE as PROVENANCE_NAME, TREE_FILE as TREE_NAME, type Provenance } from '../unpack/unpack.js';
import { changesSince, readUnpackRecord } from './changes.js';
import { ChunkPool, compressChunks, PackCompression } from './compress.js';
import type { DeflaterChoice } from './deflater.js';
import { platformOf, reverseConfig, type RuntimeConfigView } from './config.js';
import { linkHardlinks, tarChunks, WHITEOUT, type LayerItem } from './layer.js';
import { openLayoutTarget, layoutFormatFor as packFormatFor, LayoutFormat as PackFormat, setLayoutTargetRef as setTargetRef, type LayoutTarget as PackTarget } from '../store/target.js';

export { packFormatFor, PackFormat };

export interface PackOptions {
  /** Reference name to point at the new manifest (default `latest`). */
  ref?: string;
  /** Layer compression (default gzip). */
  compression?: PackCompression;
  /** A layout directory or an oci-archive file (default: {@link packFormatFor} the target). */
  format?: PackFormat;
  /** SOURCE_DATE_EPOCH, in seconds: the image's creation time and the latest mtime in the layer. */
  sourceDateEpoch?: number;
  /** One layer with the whole rootfs even when the bundle has an unpack record. */
  full?: boolean;
  /** `created_by` of the new history entry (default `ocikit pack`). */
  createdBy?: string;
  /** `comment` of the new history entry. */
  comment?: string;
  /**
   * Which libdeflate build makes gzip layers: `auto` (default) the system's
   * native one when it loads, else WebAssembly; `wasm` for byte-identical
   * layers across hosts; `native` fails when it is not installed.
   */
  deflater?: DeflaterChoice;
  /** Hashing threads (default one per core). */
  threads?: number;
  warn?: (message: string) => void;
  /** Told as the new layer is written. */
  progress?: (p: PackProgress) => void;
}

export interface PackProgress {
  /** Entries (and whiteouts) written to the layer so far. */
  entries: number;
  /** Uncompressed layer bytes so far. */
  bytes: number;
}

/** Pass items through, telling `progress` how many have gone by. */
function* countedItems(items: Iterable<LayerItem>, counter: PackProgress, progress: ((p: PackProgress) => void) | undefined): Generator<LayerItem> {
  for (const item of items) {
    counter.entries++;
    progress?.({ ...counter });
    yield item;
  }
}

/**
 * The new manifest is an OCI manifest, so base layers of a Docker schema 2
 * image take their OCI names: the bytes are the same (a gzip tar), only the
 * name differs (as `skopeo copy --format oci` does). Foreign layers become
 * OCI non-distributable layers, keeping their `urls`.
 */
const DOCKER_TO_OCI_LAYER: Readonly<Record<string, string>> = {
  [MediaType.DockerLayerGzip]: MediaType.ImageLayerGzip,
  [MediaType.DockerForeignLayerGzip]: MediaType.ImageLayerNonDistributableGzip,
};
function asOciLayer(d: Descriptor): Descriptor {
  const oci = DOCKER_TO_OCI_LAYER[d.mediaType];
  return oci === undefined ? d : { ...d, mediaType: oci };
}

export interface PackResult {
  /** Layout directory or archive written. */
  target: string;
  ref: string;
  manifest: Descriptor;
  config: Descriptor;
  /** The new layer; undefined when nothing changed since unpack. */
  layer: Descriptor | undefined;
  diffId: string | undefined;
  /** Whether the layer holds only changes (true) or the whole rootfs (false). */
  incremental: boolean;
  added: number;
  modified: number;
  removed: number;
  /** Image config fields changed from config.json edits. */
  configChanges: string[];
}

const LAYER_MEDIA_TYPE: { readonly [c in PackCompression]: string } = {
  gzip: MediaType.ImageLayerGzip,
  zstd: MediaType.ImageLayerZstd,
  none: MediaType.ImageLayer,
};

/** Pack the bundle at `bundleDir` into the layout (or archive) at `target`. */
export async function pack(bundleDir: string, target: string, options: PackOptions = {}): Promise<PackResult> {
  const ref = options.ref ?? 'latest';
  // Refused before anything is read or written.
  checkRefName(ref);
  const bundle = openBundle(bundleDir, options.full === true);
  const out = await openLayoutTarget(target, options.format ?? packFormatFor(target));
  try {
    const base = bundle.provenance ? await readBase(out, bundle.provenance) : undefined;
    const changes = await walkChanges(bundle, options);
    const layer = await writeLayer(out.layout, changes, bundle, options);
    // SOURCE_DATE_EPOCH, else the newest mtime in the bundle (for a full
    // layer, known only once writeLayer has walked the tree).
    const created = options.sourceDateEpoch ?? changes.newest;
    const edits = await reverseConfig(bundle.spec, base?.config, { root: new ConfinedRoot(bundle.rootfs), rootless: bundle.rootless });
    const counts = { added: changes.added, modified: changes.modified, removed: changes.removed };
    if (base && layer === undefined && edits.changed.length === 0) {
      // Nothing changed: the bundle is still the image it came from.
      const { annotations: _drop, ...bare } = base.descriptor;
      await setTargetRef(out, ref, bare, created);
      return { target: out.path, ref, manifest: bare, config: base.manifest.config, layer: undefined, diffId: undefined, incremental: true, ...counts, configChanges: [] };
    }
    const platform = base ? configPlatform(base.config) : platformOf(bundle.spec);
    const config = await writeConfig(out.layout, { base: base?.config, containerConfig: edits.config, layer, created, platform, options });
    const manifest = await writeManifest(out.layout, base?.manifest, config, layer);
    await setTargetRef(out, ref, { ...manifest, platform }, created);
    return {
      target: out.path,
      ref,
      manifest,
      config,
      layer: layer?.descriptor,
      diffId: layer?.diffId,
      incremental: base !== undefined,
      ...counts,
      configChanges: edits.changed,
    };
  } finally {
    out.close();
  }
}

/** The bundle as pack reads it. */
interface BundleInput {
  dir: string;
  spec: RuntimeConfigView;
  rootfs: string;
  /** What unpack recorded (`ocikit.json` with `ocikit.tree`); undefined for a full layer. */
  provenance: Provenance | undefined;
  rootless: boolean;
}

/** Read the bundle's config.json and provenance, and check its rootfs is a directory. */
function openBundle(bundleDir: string, full: boolean): BundleInput {
  const dir = path.resolve(bundleDir);
  const { config, rootfs } = readBundleConfig(dir);
  let rootSt;
  try {
    rootSt = lstatSync(rootfs);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidBundle, `bundle ${q(dir)} has no rootfs ${q(rootfs)}`, { cause });
  }
  if (!rootSt.isDirectory()) throw new BundleError(BundleErrorCode.InvalidBundle, `rootfs ${q(rootfs)} is not a directory`);
  const provenance = full ? undefined : readProvenance(dir);
  return { dir, spec: config as RuntimeConfigView, rootfs, provenance, rootless: provenance?.rootless === true };
}

function readProvenance(bundle: string): Provenance | undefined {
  const file = path.join(bundle, PROVENANCE_NAME);
  if (!existsSync(file) || !existsSync(path.join(bundle, TREE_NAME))) return undefined;
  const bytes = readRegularFile(file, Limits.RecordBytes);
  try {
    return JSON.parse(bytes.toString('utf8')) as Provenance;
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidBundle, `${q(file)} is not JSON`, { cause });
  }
}

/** The image the bundle was unpacked from, read from the target layout. */
interface BaseImage {
  descriptor: Descriptor;
  manifest: Manifest;
  config: ImageConfig;
}

/**
 * The base image: its blobs copied into the target from the layout the
 * bundle was unpacked from when the target lacks them, then read and
 * validated exactly as unpack reads an image (`readImage`).
 */
async function readBase(target: PackTarget, provenance: Provenance): Promise<BaseImage> {
  const { layout } = target;
  const blobs = [provenance.manifest, provenance.config, ...provenance.layers];
  if (!blobs.every((d) => existsSync(layout.blobPath(d.digest)))) {
    let source;
    try {
      source = await openLayout(provenance.image.layout, target.scratch ?? path.dirname(target.path));
    } catch (cause) {
      throw new BundleError(BundleErrorCode.BlobNotFound, `the image this bundle was unpacked from (${q(provenance.image.layout)}) is gone and ${q(target.name)} lacks its blobs`, { cause });
    }
    try {
      for (const d of blobs) await copyBlob(source.layout.dir, layout.dir, d);
    } finally {
      source.close();
    }
  }
  const { manifest, config } = await layout.readImage(provenance.manifest);
  if (manifest.config.digest !== provenance.config.digest) {
    throw new BundleError(BundleErrorCode.InvalidBundle, `${PROVENANCE_NAME} names config ${provenance.config.digest} but manifest ${provenance.manifest.digest} has config ${manifest.config.digest}`);
  }
  return { descriptor: provenance.manifest, manifest, config };
}

/** Copy a blob from one layout to another unless it is already there. */
/** What goes into the new layer, and what the walk learnt on the way. */
interface TreeChanges {
  /** Layer items in order; for a full layer, produced while the tree is walked. */
  items: Iterable<LayerItem>;
  /** True when nothing changed since unpack (no layer is written). */
  empty: boolean;
  added: number;
  modified: number;
  removed: number;
  /** Newest mtime (seconds) in the bundle; for a full layer, final once `items` is consumed. */
  newest: number;
}

/**
 * The rootfs against the unpack record (entries added, changed, removed,
 * whiteouts for the removed), or for a bundle without one, the whole tree.
 */
async function walkChanges(bundle: BundleInput, options: PackOptions): Promise<TreeChanges> {
  const configMtime = Math.floor(statSync(path.join(bundle.dir, 'config.json')).mtimeMs / 1000);
  if (bundle.provenance) {
    const entries = walkTree(bundle.rootfs);
    let newest = configMtime;
    for (const e of entries) {
      refuseWhiteoutName(e);
      newest = Math.max(newest, seconds(e.mtimeNs));
    }
    const changes = await changesSince(readUnpackRecord(path.join(bundle.dir, TREE_NAME)), entries, options.threads === undefined ? {} : { threads: options.threads });
    return { items: linkHardlinks(changes.items, entries), empty: changes.items.length === 0, added: changes.added, modified: changes.modified, removed: changes.removed, newest };
  }
  // The whole tree, streamed: written while it is walked.
  const out: TreeChanges = { items: [], empty: false, added: 0, modified: 0, removed: 0, newest: configMtime };
  out.items = (function* (): Generator<LayerItem> {
    const first = new Map<string, Buffer>();
    for (const entry of walkDepthFirst(bundle.rootfs)) {
      refuseWhiteoutName(entry);
      out.newest = Math.max(out.newest, seconds(entry.mtimeNs));
      out.added++;
      const linkTo = entry.inode === undefined ? undefined : first.get(entry.inode);
      if (entry.inode !== undefined && linkTo === undefined) first.set(entry.inode, entry.path);
      yield linkTo === undefined ? { kind: 'entry', entry } : { kind: 'entry', entry, linkTo };
    }
  })();
  return out;
}

/** layer.md: names beginning `.wh.` are whiteouts; such a file cannot be carried in a layer. */
function refuseWhiteoutName(e: WalkEntry): void {
  const base = e.path.subarray(e.path.lastIndexOf(0x2f) + 1);
  if (base.length >= WHITEOUT.length && base.subarray(0, WHITEOUT.length).equals(WHITEOUT)) {
    throw new BundleError(BundleErrorCode.InvalidPath, `rootfs entry ${q(e.path.toString())} has a name no layer can hold (layer.md: ".wh." names are whiteouts)`);
  }
}

function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1 : 0);
}

/** The new layer's blob and its uncompressed digest. */
interface WrittenLayer {
  descriptor: Descriptor;
  diffId: string;
}

/** Stream the layer: tar -> diff_id -> compression on every core -> blob. Undefined when nothing changed. */
async function writeLayer(layout: Layout, changes: TreeChanges, bundle: BundleInput, options: PackOptions): Promise<WrittenLayer | undefined> {
  if (changes.empty) return undefined;
  const compression = options.compression ?? PackCompression.Gzip;
  const sde = options.sourceDateEpoch;
  const diff = createHash('sha256');
  const pool = new ChunkPool();
  const rootOwner = bundle.rootless && process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : undefined;
  const counter: PackProgress = { entries: 0, bytes: 0 };
  // Whiteouts exist only in an incremental layer, whose newest mtime is known before the tar begins.
  const chunks = tarChunks(countedItems(changes.items, counter, options.progress), {
    pool,
    whiteoutMtime: sde ?? changes.newest,
    warn: options.warn ?? (() => {}),
    ...(sde !== undefined && { clampMtime: sde }),
    ...(rootOwner && { rootOwner }),
  });
  const onChunk = (c: Buffer): void => {
    diff.update(c);
    counter.bytes += c.length;
  };
  const blob = await layout.writeBlob(compressChunks(chunks, compression, { pool, onChunk, ...(options.deflater !== undefined && { deflater: options.deflater }) }));
  return { descriptor: { mediaType: LAYER_MEDIA_TYPE[compression], digest: blob.digest, size: blob.size }, diffId: `sha256:${diff.digest('hex')}` };
}

function configPlatform(config: ImageConfig): PlatformSpec {
  return { os: config.os, architecture: config.architecture, ...(config.variant && { variant: config.variant }) };
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The new image config: the base's, with the edits, the platform, the new diff_id and a history entry. */
async function writeConfig(
  layout: Layout,
  input: { base: ImageConfig | undefined; containerConfig: ImageConfig['config']; layer: WrittenLayer | undefined; created: number; platform: PlatformSpec; options: PackOptions },
): Promise<Descriptor> {
  const { base, layer, created, options } = input;
  const history: object[] = [...(base?.history ?? [])];
  history.push({
    created: isoTime(created),
    created_by: options.createdBy ?? 'ocikit pack',
    ...(options.comment !== undefined && { comment: options.comment }),
    ...(layer === undefined && { empty_layer: true }),
  });
  const config = {
    ...base,
    created: isoTime(created),
    ...input.platform,
    config: input.containerConfig,
    rootfs: { type: 'layers', diff_ids: [...(base?.rootfs.diff_ids ?? []), ...(layer ? [layer.diffId] : [])] },
    history,
  };
  return layout.writeJson(config, MediaType.ImageConfig);
}

/** The new OCI manifest: the base's layers (under their OCI names) and the new one. */
async function writeManifest(layout: Layout, base: Manifest | undefined, config: Descriptor, layer: WrittenLayer | undefined): Promise<Descriptor> {
  const annotations = base && 'annotations' in base ? base.annotations : undefined;
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    config,
    layers: [...(base?.layers ?? []).map(asOciLayer), ...(layer ? [layer.descriptor] : [])],
    ...(annotations && { annotations }),
  };
  return layout.writeJson(manifest, MediaType.ImageManifest);
}
