/**
 * A place to write images into: a layout directory, or an oci-archive file
 * (a layout in a tar, containers/image's `oci-archive:`) opened or begun in
 * a scratch directory beside it and written back whole at the end. Used by
 * pack and by @ocikit/transport's destinations.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { scratchDir, ScratchPurpose, sweepScratch } from '../fs/scratch.js';
import { writeOciArchive } from '../pack/archive.js';
import { openLayout, type OpenedLayout } from './archive.js';
import { copyBlob } from './blobs.js';
import { INDEX_TYPES, indexKind } from './documents.js';
import { archiveLockPath, withFileLock } from './lock.js';
import { Layout } from './layout.js';

export const LayoutFormat = {
  Layout: 'layout',
  Archive: 'archive',
} as const;
export type LayoutFormat = (typeof LayoutFormat)[keyof typeof LayoutFormat];

/**
 * The format a target implies when none is named: an existing regular file,
 * or a name ending in `.tar`, is an oci-archive (the layout in a tar that
 * containers/image calls `oci-archive:`); anything else a layout directory.
 */
export function layoutFormatFor(target: string): LayoutFormat {
  if (/\.tar$/i.test(target)) return LayoutFormat.Archive;
  try {
    return statSync(target).isFile() ? LayoutFormat.Archive : LayoutFormat.Layout;
  } catch {
    return LayoutFormat.Layout;
  }
}

/** An opened layout or archive to write into. */
export interface LayoutTarget {
  /** The target as given, for messages. */
  name: string;
  /** Absolute path of the layout directory or archive file. */
  path: string;
  format: LayoutFormat;
  /** The layout written to (for an archive, its extracted copy). */
  layout: Layout;
  /** A private directory beside the target for extracted layouts (archives only). */
  scratch: string | undefined;
  /** The archive as it was when it was opened (archives only; undefined when it did not exist). */
  opened?: FileIdentity | undefined;
  /** Release what opening took (the scratch directory). */
  close(): void;
}

/** What tells one version of a file from the next: each write of an archive renames a new inode into place. */
interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

function identity(file: string): FileIdentity | undefined {
  try {
    const st = statSync(file);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);
}

/** Open (or create) the layout directory or archive at `target`. */
export async function openLayoutTarget(target: string, format: LayoutFormat): Promise<LayoutTarget> {
  const abs = path.resolve(target);
  // Scratch of writers that were killed (archive work trees, extracted bases) lies beside the target.
  sweepScratch(path.dirname(abs));
  if (format === LayoutFormat.Archive) {
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `${q(target)} is a directory; --format archive writes a file`);
    }
    const scratch = scratchDir(path.dirname(abs), ScratchPurpose.Pack);
    let opened: OpenedLayout | undefined;
    try {
      const before = identity(abs);
      let layout: Layout;
      if (before !== undefined) {
        opened = await openLayout(abs, scratch.path);
        layout = opened.layout;
      } else layout = await Layout.create(path.join(scratch.path, 'layout'));
      return {
        name: target,
        path: abs,
        format,
        layout,
        scratch: scratch.path,
        opened: before,
        close: () => {
          opened?.close();
          scratch.dispose();
        },
      };
    } catch (err) {
      opened?.close();
      scratch.dispose();
      throw err;
    }
  }
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    throw new BundleError(BundleErrorCode.InvalidLayout, `${q(target)} is a file, not a layout directory (an oci-archive is written with format archive)`, { ref: BundleSpecRef.Layout });
  }
  return { name: target, path: abs, format, layout: await Layout.create(abs), scratch: undefined, close: () => {} };
}

/** What setLayoutTargetRef carries besides the reference. */
export interface SetTargetRefOptions {
  /**
   * Every blob the new reference needs, for carrying into an archive that
   * another writer replaced meanwhile (default: the image or index graph of
   * `manifest`: nested manifests, configs and layers).
   */
  carry?: readonly Descriptor[];
}

/**
 * Point `ref` at `manifest` in the target's index.json. For an archive,
 * the whole read-modify-write happens under the archive's lock: when
 * another writer replaced the archive since it was opened, its current
 * content is read again and this image's blobs are carried into it, so
 * neither writer's ref is lost; then the layout is written back as the
 * archive (entries dated `created`, seconds since the epoch).
 */
export async function setLayoutTargetRef(target: LayoutTarget, ref: string, manifest: Descriptor, created: number, options: SetTargetRefOptions = {}): Promise<void> {
  if (target.format !== LayoutFormat.Archive) {
    await target.layout.setRef(ref, manifest);
    return;
  }
  await withFileLock(
    archiveLockPath(target.path),
    async () => {
      let layout = target.layout;
      let current: OpenedLayout | undefined;
      try {
        const now = identity(target.path);
        if (!sameIdentity(now, target.opened)) {
          current = now === undefined ? { layout: await Layout.create(path.join(target.scratch!, 'current')), close: () => {} } : await openLayout(target.path, target.scratch);
          const carry = options.carry ?? (await graphOf(target.layout, manifest));
          for (const d of carry) await copyBlob(target.layout.dir, current.layout.dir, d);
          layout = current.layout;
        }
        await layout.setRef(ref, manifest);
        writeOciArchive(layout.dir, target.path, created);
      } finally {
        current?.close();
      }
    },
    { what: `oci-archive ${q(target.name)}` },
  );
}

/** The blobs of the image or index `desc` names (nested indexes, manifests, configs, layers), read verified from `from`. */
async function graphOf(from: Layout, desc: Descriptor): Promise<Descriptor[]> {
  if (INDEX_TYPES.includes(desc.mediaType)) {
    const index = await from.readDocument(desc, indexKind(desc.mediaType));
    const children = await Promise.all(index.manifests.map((d) => graphOf(from, d as Descriptor)));
    return [desc, ...children.flat()];
  }
  const image = await from.readImage(desc);
  return [desc, image.manifest.config, ...image.manifest.layers];
}

/**
 * Change an oci-archive in place: under the archive's lock, extract it
 * beside itself, run `change` on that layout, and write the layout back
 * whole as the archive (entries dated `created`, seconds since the epoch).
 * A change that throws leaves the archive as it was; writers that take the
 * same lock (copy, pack) wait, so none of their work is lost.
 */
export async function changeOciArchive<T>(file: string, created: number, change: (layout: Layout) => Promise<T>): Promise<T> {
  const abs = path.resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new BundleError(BundleErrorCode.LayoutNotFound, `oci-archive ${q(file)} does not exist or is not a file`, { ref: BundleSpecRef.Layout });
  }
  sweepScratch(path.dirname(abs));
  return withFileLock(
    archiveLockPath(abs),
    async () => {
      const scratch = scratchDir(path.dirname(abs), ScratchPurpose.Pack);
      let opened: OpenedLayout | undefined;
      try {
        opened = await openLayout(abs, scratch.path);
        const result = await change(opened.layout);
        writeOciArchive(opened.layout.dir, abs, created);
        return result;
      } finally {
        opened?.close();
        scratch.dispose();
      }
    },
    { what: `oci-archive ${q(file)}` },
  );
}
