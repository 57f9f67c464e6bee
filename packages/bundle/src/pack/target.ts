/**
 * Where pack writes: a layout directory, or an oci-archive file (a layout
 * in a tar, containers/image's `oci-archive:`), opened or begun in a
 * scratch directory beside it and written back whole at the end.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { scratchDir, ScratchPurpose, sweepScratch } from '../fs/scratch.js';
import { openLayout, type OpenedLayout } from '../store/archive.js';
import { copyBlob } from '../store/blobs.js';
import { archiveLockPath, withFileLock } from '../store/lock.js';
import { Layout } from '../store/layout.js';
import { writeOciArchive } from './archive.js';

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

/** An opened pack target. */
export interface PackTarget {
  /** The target as given, for messages. */
  name: string;
  /** Absolute path of the layout directory or archive file. */
  path: string;
  format: PackFormat;
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
export async function openTarget(target: string, format: PackFormat): Promise<PackTarget> {
  const abs = path.resolve(target);
  // Scratch of writers that were killed (archive work trees, extracted bases) lies beside the target.
  sweepScratch(path.dirname(abs));
  if (format === PackFormat.Archive) {
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

/**
 * Point `ref` at `manifest` in the target's index.json. For an archive,
 * the whole read-modify-write happens under the archive's lock: when
 * another writer replaced the archive since it was opened, its current
 * content is read again and this image's blobs are carried into it, so
 * neither writer's ref is lost; then the layout is written back as the
 * archive (entries dated `created`).
 */
export async function setTargetRef(target: PackTarget, ref: string, manifest: Descriptor, created: number): Promise<void> {
  if (target.format !== PackFormat.Archive) {
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
          await carryImage(target.layout, current.layout, manifest);
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

/** Copy the blobs of the image `manifest` names (manifest, config, layers) from one layout to another. */
async function carryImage(from: Layout, to: Layout, manifest: Descriptor): Promise<void> {
  const image = await from.readImage(manifest);
  for (const d of [manifest, image.manifest.config, ...image.manifest.layers]) await copyBlob(from.dir, to.dir, d);
}
