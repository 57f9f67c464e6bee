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
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { MediaType, type Descriptor } from '@ocikit/image-spec';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { readBundleConfig } from '../digest/record.js';
import { walkDepthFirst, walkTree, type WalkEntry } from '../tree/walk.js';
import { ConfinedRoot } from '../fs/confine.js';
import { openLayout, type OpenedLayout } from '../store/archive.js';
import { checkConfig, checkManifest, type ConfigDoc, type ManifestDoc } from '../store/documents.js';
import { Layout, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from '../store/layout.js';
import { PROVENANCE_FILE as PROVENANCE_NAME, TREE_FILE as TREE_NAME, type Provenance } from '../unpack/unpack.js';
import { writeOciArchive } from './archive.js';
import { changesSince, readUnpackRecord } from './changes.js';
import { ChunkPool, compressChunks, PackCompression } from './compress.js';
import type { DeflaterChoice } from './deflater.js';
import { platformOf, reverseConfig, type RuntimeConfigView } from './config.js';
import { linkHardlinks, tarChunks, WHITEOUT, type LayerItem } from './layer.js';

export const PackFormat = {
  Layout: 'layout',
  Archive: 'archive',
} as const;
export type PackFormat = (typeof PackFormat)[keyof typeof PackFormat];

/**
 * The format a target implies when none is named: an existing regular file,
 * or a name ending in `.tar`, is an oci-archive (the layout in a tar that
 * containers/image calls `oci-archive:`); anything else a layout directory.
 */
export function packFormatFor(target: string): PackFormat {
  if (/\.tar$/i.test(target)) return PackFormat.Archive;
  try {
    return statSync(target).isFile() ? PackFormat.Archive : PackFormat.Layout;
  } catch {
    return PackFormat.Layout;
  }
}


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

function readProvenance(bundle: string): Provenance | undefined {
  const file = path.join(bundle, PROVENANCE_NAME);
  if (!existsSync(file) || !existsSync(path.join(bundle, TREE_NAME))) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Provenance;
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidBundle, `${q(file)} is not JSON`, { cause });
  }
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Copy a blob from one layout to another unless it is already there. */
async function ensureBlob(from: Layout, to: Layout, desc: Descriptor): Promise<void> {
  if (existsSync(to.blobPath(desc.digest))) return;
  const w = await to.writeBlob(from.openBlob(desc));
  if (w.digest !== desc.digest) throw new BundleError(BundleErrorCode.InvalidDescriptor, `blob ${desc.digest} copied as ${w.digest}`);
}

function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1 : 0);
}

/** layer.md: names beginning `.wh.` are whiteouts; such a file cannot be carried in a layer. */
function refuseWhiteoutName(e: WalkEntry): void {
  const base = e.path.subarray(e.path.lastIndexOf(0x2f) + 1);
  if (base.length >= WHITEOUT.length && base.subarray(0, WHITEOUT.length).equals(WHITEOUT)) {
    throw new BundleError(BundleErrorCode.InvalidPath, `rootfs entry ${q(e.path.toString())} has a name no layer can hold (layer.md: ".wh." names are whiteouts)`);
  }
}

/** Pack the bundle at `bundleDir` into the layout (or archive) at `target`. */
export async function pack(bundleDir: string, target: string, options: PackOptions = {}): Promise<PackResult> {
  const bundle = path.resolve(bundleDir);
  const ref = options.ref ?? 'latest';
  const compression = options.compression ?? PackCompression.Gzip;
  const format = options.format ?? packFormatFor(target);
  const warn = options.warn ?? (() => {});
  const { config: specDoc, rootfs } = readBundleConfig(bundle);
  const spec = specDoc as RuntimeConfigView;
  let rootSt;
  try {
    rootSt = lstatSync(rootfs);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.InvalidBundle, `bundle ${q(bundle)} has no rootfs ${q(rootfs)}`, { cause });
  }
  if (!rootSt.isDirectory()) throw new BundleError(BundleErrorCode.InvalidBundle, `rootfs ${q(rootfs)} is not a directory`);

  const provenance = options.full ? undefined : readProvenance(bundle);

  // The target: a layout directory, or an archive opened (or begun) in a scratch directory.
  const targetAbs = path.resolve(target);
  let opened: OpenedLayout | undefined;
  let scratch: string | undefined;
  let layout: Layout;
  if (format === PackFormat.Archive) {
    if (existsSync(targetAbs) && statSync(targetAbs).isDirectory()) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `${q(target)} is a directory; --format archive writes a file`);
    }
    scratch = mkdtempSync(path.join(path.dirname(targetAbs), `.${path.basename(targetAbs)}.ocikit-pack-`));
    if (existsSync(targetAbs)) {
      opened = await openLayout(targetAbs, scratch);
      layout = opened.layout;
    } else layout = await Layout.create(path.join(scratch, 'layout'));
  } else {
    if (existsSync(targetAbs) && !statSync(targetAbs).isDirectory()) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `${q(target)} is a file, not a layout directory (an oci-archive is written with format archive)`, { ref: BundleSpecRef.Layout });
    }
    layout = await Layout.create(targetAbs);
  }

  let source: OpenedLayout | undefined;
  try {
    // The base image, from the target layout or the one the bundle was unpacked from.
    let baseConfig: ConfigDoc | undefined;
    let baseManifest: ManifestDoc | undefined;
    if (provenance) {
      const haveAll = [provenance.manifest, provenance.config, ...provenance.layers].every((d) => existsSync(layout.blobPath(d.digest)));
      let from = layout;
      if (!haveAll) {
        try {
          source = await openLayout(provenance.image.layout, scratch ?? path.dirname(targetAbs));
        } catch (cause) {
          throw new BundleError(BundleErrorCode.BlobNotFound, `the image this bundle was unpacked from (${q(provenance.image.layout)}) is gone and ${q(target)} lacks its blobs`, { cause });
        }
        from = source.layout;
        for (const d of [provenance.manifest, provenance.config, ...provenance.layers]) await ensureBlob(from, layout, d);
      }
      // Verified against their digests as they are read, then checked for the shape we rely on.
      baseManifest = checkManifest(await layout.readJson(provenance.manifest, MAX_MANIFEST_BYTES), `manifest ${provenance.manifest.digest}`);
      baseConfig = checkConfig(await layout.readJson(provenance.config, MAX_CONFIG_BYTES), `config ${provenance.config.digest}`);
      if (baseConfig.rootfs.diff_ids.length !== baseManifest.layers.length) {
        throw new BundleError(BundleErrorCode.InvalidDocument, `base image ${provenance.manifest.digest} has ${baseManifest.layers.length} layers but ${baseConfig.rootfs.diff_ids.length} diff_ids`);
      }
    }

    // The rootfs now, and what goes into the layer.
    const configMtime = Math.floor(statSync(path.join(bundle, 'config.json')).mtimeMs / 1000);
    let items: Iterable<LayerItem>;
    let empty = false;
    let added = 0;
    let modified = 0;
    let removed = 0;
    let newest = configMtime;
    const full = { count: 0 };
    if (provenance) {
      const entries = walkTree(rootfs);
      for (const e of entries) {
        refuseWhiteoutName(e);
        newest = Math.max(newest, seconds(e.mtimeNs));
      }
      const changes = await changesSince(readUnpackRecord(path.join(bundle, TREE_NAME)), entries, options.threads === undefined ? {} : { threads: options.threads });
      items = linkHardlinks(changes.items, entries);
      empty = changes.items.length === 0;
      ({ added, modified, removed } = changes);
    } else {
      // The whole tree, streamed: written while it is walked.
      items = (function* (): Generator<LayerItem> {
        const first = new Map<string, Buffer>();
        for (const entry of walkDepthFirst(rootfs)) {
          refuseWhiteoutName(entry);
          newest = Math.max(newest, seconds(entry.mtimeNs));
          full.count++;
          const linkTo = entry.inode === undefined ? undefined : first.get(entry.inode);
          if (entry.inode !== undefined && linkTo === undefined) first.set(entry.inode, entry.path);
          yield linkTo === undefined ? { kind: 'entry', entry } : { kind: 'entry', entry, linkTo };
        }
      })();
    }

    // Time: SOURCE_DATE_EPOCH, else the newest mtime in the bundle (for a
    // full layer, known once the tree has been walked; no whiteouts need it before).
    const sde = options.sourceDateEpoch;

    // The layer, streamed: tar -> diff_id -> compression on every core -> blob.
    let layerDesc: Descriptor | undefined;
    let diffId: string | undefined;
    if (!empty) {
      const diff = createHash('sha256');
      const pool = new ChunkPool();
      const rootOwner = provenance?.rootless === true && process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : undefined;
      const counter: PackProgress = { entries: 0, bytes: 0 };
      const chunks = tarChunks(countedItems(items, counter, options.progress), { pool, whiteoutMtime: sde ?? newest, warn, ...(sde !== undefined && { clampMtime: sde }), ...(rootOwner && { rootOwner }) });
      const blob = await layout.writeBlob(compressChunks(chunks, compression, { pool, onChunk: (c) => {
            diff.update(c);
            counter.bytes += c.length;
          }, ...(options.deflater !== undefined && { deflater: options.deflater }) }));
      diffId = `sha256:${diff.digest('hex')}`;
      layerDesc = { mediaType: LAYER_MEDIA_TYPE[compression], digest: blob.digest, size: blob.size };
    }
    if (!provenance) added = full.count;
    const created = sde ?? newest;

    // The image config.
    const root = new ConfinedRoot(rootfs);
    const { config: containerConfig, changed } = await reverseConfig(spec, baseConfig, { root, rootless: provenance?.rootless === true });

    if (provenance && layerDesc === undefined && changed.length === 0) {
      // Nothing changed: the bundle is still the image it came from.
      const { annotations: _drop, ...bare } = provenance.manifest;
      await layout.setRef(ref, bare);
      if (format === PackFormat.Archive) writeOciArchive(layout.dir, targetAbs, created);
      return { target: targetAbs, ref, manifest: bare, config: provenance.config, layer: undefined, diffId: undefined, incremental: true, added, modified, removed, configChanges: [] };
    }
    const platform = baseConfig ? { os: baseConfig.os, architecture: baseConfig.architecture, ...(baseConfig.variant && { variant: baseConfig.variant }) } : platformOf(spec);
    const history = [...(((baseConfig as { history?: unknown[] } | undefined)?.history ?? []) as object[])];
    history.push({
      created: isoTime(created),
      created_by: options.createdBy ?? 'ocikit pack',
      ...(options.comment !== undefined && { comment: options.comment }),
      ...(layerDesc === undefined && { empty_layer: true }),
    });
    const newConfig = {
      ...baseConfig,
      created: isoTime(created),
      ...platform,
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: [...(baseConfig?.rootfs.diff_ids ?? []), ...(diffId ? [diffId] : [])] },
      history,
    };
    const configDesc = await layout.writeJson(newConfig, MediaType.ImageConfig);

    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: configDesc,
      layers: [...(baseManifest?.layers ?? []).map(asOciLayer), ...(layerDesc ? [layerDesc] : [])],
      ...(baseManifest?.annotations && { annotations: baseManifest.annotations }),
    };
    const manifestDesc = await layout.writeJson(manifest, MediaType.ImageManifest);
    await layout.setRef(ref, { ...manifestDesc, platform });

    if (format === PackFormat.Archive) writeOciArchive(layout.dir, targetAbs, created);
    return {
      target: targetAbs,
      ref,
      manifest: manifestDesc,
      config: configDesc,
      layer: layerDesc,
      diffId,
      incremental: provenance !== undefined,
      added,
      modified,
      removed,
      configChanges: changed,
    };
  } finally {
    source?.close();
    opened?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

