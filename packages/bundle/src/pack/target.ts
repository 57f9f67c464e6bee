/**
 * Where pack writes: a layout directory, or an oci-archive file (a layout
 * in a tar, containers/image's `oci-archive:`), opened or begun in a
 * scratch directory beside it and written back whole at the end.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '@ocikit/image-spec';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';
import { removeTree } from '../fs/confine.js';
import { openLayout, type OpenedLayout } from '../store/archive.js';
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
  /** Release what opening took (the scratch directory). */
  close(): void;
}

/** Open (or create) the layout directory or archive at `target`. */
export async function openTarget(target: string, format: PackFormat): Promise<PackTarget> {
  const abs = path.resolve(target);
  if (format === PackFormat.Archive) {
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      throw new BundleError(BundleErrorCode.InvalidLayout, `${q(target)} is a directory; --format archive writes a file`);
    }
    const scratch = mkdtempSync(path.join(path.dirname(abs), `.${path.basename(abs)}.ocikit-pack-`));
    let opened: OpenedLayout | undefined;
    try {
      let layout: Layout;
      if (existsSync(abs)) {
        opened = await openLayout(abs, scratch);
        layout = opened.layout;
      } else layout = await Layout.create(path.join(scratch, 'layout'));
      return {
        name: target,
        path: abs,
        format,
        layout,
        scratch,
        close: () => {
          opened?.close();
          removeTree(scratch);
        },
      };
    } catch (err) {
      opened?.close();
      removeTree(scratch);
      throw err;
    }
  }
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    throw new BundleError(BundleErrorCode.InvalidLayout, `${q(target)} is a file, not a layout directory (an oci-archive is written with format archive)`, { ref: BundleSpecRef.Layout });
  }
  return { name: target, path: abs, format, layout: await Layout.create(abs), scratch: undefined, close: () => {} };
}

/**
 * Point `ref` at `manifest` in the target's index.json; for an archive,
 * then write the layout back as the archive (entries dated `created`).
 */
export async function setTargetRef(target: PackTarget, ref: string, manifest: Descriptor, created: number): Promise<void> {
  await target.layout.setRef(ref, manifest);
  if (target.format === PackFormat.Archive) writeOciArchive(target.layout.dir, target.path, created);
}
