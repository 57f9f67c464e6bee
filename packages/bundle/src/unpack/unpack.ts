/**
 * Image to runtime bundle (runtime-spec bundle.md): `rootfs/` from the
 * layers, `config.json` from the image config, and the provenance record
 * `ocikit.json` + `ocikit.tree` for a later `pack`.
 *
 * Everything is built in a private directory beside BUNDLE and renamed into
 * place at the end: a failed unpack leaves nothing behind, and an existing
 * non-empty BUNDLE is never touched (it is refused up front).
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor, PlatformSpec } from '@ocikit/image-spec';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { ConfinedRoot } from '../fs/confine.js';
import { scratchDir, ScratchPurpose, sweepScratch } from '../fs/scratch.js';
import { makeDirectory } from '../fs/make-dir.js';
import { RootfsWriter } from '../layer/apply.js';
import { extractLayer, layerCompression } from '../layer/extract.js';
import type { TarHandler } from '../tar/reader.js';
import { openLayout } from '../store/archive.js';
import type { RefTarget } from '../store/refs.js';
import { checkOciVersion, convertConfig } from './config.js';
import { formatTree, recordTree } from '../tree/record.js';

export const PROVENANCE_FILE = 'ocikit.json';
export const TREE_FILE = 'ocikit.tree';

export interface UnpackProgress {
  /** 1-based index of the layer being unpacked. */
  layer: number;
  layers: number;
  /** Compressed bytes of all layers read so far, and in total. */
  bytesRead: number;
  bytesTotal: number;
  /** Entries applied so far, over all layers. */
  entries: number;
}

export interface UnpackOptions {
  /** Reference name in index.json, or `{ digest }` of a manifest or index (default `latest`). */
  ref?: RefTarget;
  /** `os/arch[/variant]` or a platform; default the host's. An explicit one is enforced. */
  platform?: PlatformSpec | string;
  /** Unpack as an unprivileged user would: no chown, devices skipped, a rootless config. */
  rootless?: boolean;
  /** Largest total uncompressed layer size accepted, in bytes. */
  maxSize?: number;
  /** Give `Config.Volumes` bind mounts from `BUNDLE/volumes/<n>`. */
  volumes?: boolean;
  /**
   * runtime-spec release the config.json declares (default: the newest,
   * runtime-spec's RUNTIME_SPEC_VERSION); fields newer than it are left out,
   * for runtimes that refuse newer documents (crun 1.8 takes 1.0.x and 1.1.x only).
   */
  ociVersion?: string;
  /** Told about anything skipped. */
  warn?: (message: string) => void;
  /** Told as layers are read. */
  progress?: (p: UnpackProgress) => void;
  /**
   * Decompress on a worker thread: `auto` (default) for zstd when the runtime
   * has no native decoder; `always` for gzip too (its inflate already runs on
   * libuv's pool, and a worker measured no faster on a busy 2-core machine).
   */
  decompressWorker?: 'auto' | 'always' | 'never';
}

/** What `ocikit.json` records. */
export interface Provenance {
  /** Layout and reference unpacked (a digest reference as `@sha256:...`). */
  image: { layout: string; ref: string };
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  diffIds: string[];
  platform: { os: string; architecture: string; variant?: string };
  rootless: boolean;
  /** Name of the file-tree record beside it. */
  tree: string;
}

export interface UnpackResult {
  bundle: string;
  provenance: Provenance;
  /** Tar entries applied over all layers. */
  entries: number;
  /** Uncompressed bytes over all layers. */
  bytes: number;
  warnings: number;
}

function checkBundleTarget(bundle: string): void {
  let st;
  try {
    st = lstatSync(bundle);
  } catch {
    return;
  }
  if (!st.isDirectory()) throw new BundleError(BundleErrorCode.BundleExists, `bundle ${q(bundle)} exists and is not a directory`);
  if (readdirSync(bundle).length > 0) throw new BundleError(BundleErrorCode.BundleExists, `bundle ${q(bundle)} already exists and is not empty`);
}

/** Unpack `ref` of the layout (directory or oci-archive) at `layoutPath` into a new bundle at `bundleDir`. */
export async function unpack(layoutPath: string, bundleDir: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const ref = options.ref ?? 'latest';
  const bundle = path.resolve(bundleDir);
  // An unknown version is refused before a byte is written.
  if (options.ociVersion !== undefined) await checkOciVersion(options.ociVersion);
  checkBundleTarget(bundle);
  const parent = path.dirname(bundle);
  makeDirectory(parent);
  // Staging trees of unpacks that were killed are cleared first.
  sweepScratch(parent);
  const staging = scratchDir(parent, ScratchPurpose.Unpack);
  const work = staging.path;
  const warn = options.warn ?? (() => {});
  try {
    const opened = await openLayout(layoutPath, work);
    let result: UnpackResult;
    try {
      const image = await opened.layout.resolve(ref, {
        ...(options.platform !== undefined ? { platform: options.platform, strictPlatform: true } : {}),
      });
      const { manifest, config } = image;
      // Refuse unknown layer types before writing anything.
      for (const l of manifest.layers) layerCompression(l.mediaType);

      const rootfsHost = path.join(work, 'rootfs');
      mkdirSync(rootfsHost, 0o755);
      const root = new ConfinedRoot(rootfsHost);
      const writer = new RootfsWriter(root, { rootless: options.rootless === true, warn });
      const bytesTotal = manifest.layers.reduce((n, l) => n + l.size, 0);
      let bytesRead = 0;
      let budget = options.maxSize ?? Number.POSITIVE_INFINITY;
      let entries = 0;
      let bytes = 0;
      for (const [i, layer] of manifest.layers.entries()) {
        const applied = entries;
        const layerHandler = writer.beginLayer();
        let seen = 0;
        const handler: TarHandler = options.progress
          ? {
              entry: (e) => {
                seen++;
                layerHandler.entry(e);
              },
              data: (c) => layerHandler.data(c),
              end: () => layerHandler.end(),
            }
          : layerHandler;
        const report = (n: number): void => {
          bytesRead += n;
          options.progress?.({ layer: i + 1, layers: manifest.layers.length, bytesRead, bytesTotal, entries: applied + seen });
        };
        async function* counted(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
          for await (const c of source) {
            report(c.length);
            yield c;
          }
        }
        try {
          const r = await extractLayer(counted(opened.layout.openBlob(layer)), {
            mediaType: layer.mediaType,
            diffId: config.rootfs.diff_ids[i]!,
            handler,
            label: layer.digest,
            maxBytes: budget,
            worker: options.decompressWorker ?? 'auto',
          });
          budget -= r.size;
          entries += r.entries;
          bytes += r.size;
        } finally {
          writer.abort();
        }
      }
      writer.finish();

      const { spec, volumeDirs } = await convertConfig(config, { root, rootless: options.rootless === true, volumes: options.volumes === true, ...(options.ociVersion !== undefined && { ociVersion: options.ociVersion }) });
      for (const v of volumeDirs) mkdirSync(path.join(work, v), { recursive: true, mode: 0o755 });
      writeFileSync(path.join(work, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o644 });

      const provenance: Provenance = {
        image: { layout: path.resolve(layoutPath), ref: typeof ref === 'string' ? ref : `@${ref.digest}` },
        manifest: image.descriptor,
        config: manifest.config,
        layers: manifest.layers,
        diffIds: config.rootfs.diff_ids,
        platform: { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) },
        rootless: options.rootless === true,
        tree: TREE_FILE,
      };
      writeFileSync(path.join(work, TREE_FILE), formatTree(recordTree(rootfsHost, writer.digests)), { mode: 0o644 });
      writeFileSync(path.join(work, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`, { mode: 0o644 });
      result = { bundle, provenance, entries, bytes, warnings: writer.warnings };
    } finally {
      opened.close();
    }
    // The rootfs's own mode came from the layers when they had a "./" entry; the bundle is ours.
    checkBundleTarget(bundle);
    renameSync(work, bundle);
    staging.keep();
    return result;
  } catch (err) {
    staging.dispose();
    throw err;
  }
}
