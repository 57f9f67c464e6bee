/**
 * Scratch files and directories: temp files renamed into place, staging
 * trees, extracted archives. Each is created beside its destination (so
 * the final rename stays on one file system) under a name that says who
 * owns it: `.ocikit-PURPOSE-OWNER-RANDOM`. That lets any later writer, or
 * `gc`, remove what a killed process left behind, and never what a live
 * one is still writing. An interrupt (SIGINT, SIGTERM) removes the
 * process's own scratch before it exits.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { removeTree } from './confine.js';
import { onInterrupt } from './interrupt.js';
import { isOwnerAlive, ownerToken } from './owner.js';

/** What a scratch entry is for: the middle of its name. */
export const ScratchPurpose = {
  /** A blob, index.json or archive being written, then renamed into place. */
  Temp: 'tmp',
  /** An unpack's staging tree, renamed to the bundle at the end. */
  Unpack: 'unpack',
  /** An archive pack's working layout. */
  Pack: 'pack',
  /** An oci-archive extracted to be read. */
  Archive: 'archive',
  /** A tree renamed aside to be removed, so that its name is free at once. */
  Remove: 'rm',
} as const;
export type ScratchPurpose = (typeof ScratchPurpose)[keyof typeof ScratchPurpose];

const SCRATCH_NAME = /^\.ocikit-(tmp|unpack|pack|archive|rm)-(\d{1,10}(?:\.\d{1,20})?)-[0-9a-f]{12}$/;

/** A name unique to this process and call. */
export function scratchName(purpose: ScratchPurpose): string {
  return `.ocikit-${purpose}-${ownerToken()}-${randomBytes(6).toString('hex')}`;
}

/** The owner token of a scratch name, or undefined for any other name. */
export function scratchOwner(name: string): string | undefined {
  return SCRATCH_NAME.exec(name)?.[2];
}

/** A scratch path, removed on interrupt until it is kept or disposed of. */
export interface Scratch {
  readonly path: string;
  /** It was renamed into place (or handed on): stop watching it. */
  keep(): void;
  /** Remove it now. */
  dispose(): void;
}

/** Reserve a scratch path in `parent`; `create` makes the file or directory. */
function reserve(parent: string, purpose: ScratchPurpose, create: (p: string) => void): Scratch {
  const p = path.join(parent, scratchName(purpose));
  const forget = onInterrupt(() => removeTree(p));
  try {
    create(p);
  } catch (err) {
    forget();
    throw err;
  }
  return {
    path: p,
    keep: forget,
    dispose() {
      forget();
      removeTree(p);
    },
  };
}

/** A new scratch directory in `parent`. */
export function scratchDir(parent: string, purpose: ScratchPurpose): Scratch {
  return reserve(parent, purpose, (p) => mkdirSync(p, 0o700));
}

/** A scratch file name in `parent`, watched from now on; the caller creates the file (O_EXCL). */
export function scratchFile(parent: string, purpose: ScratchPurpose = ScratchPurpose.Temp): Scratch {
  return reserve(parent, purpose, () => {});
}

/** Scratch entries in `dir` whose owner is gone (killed, crashed). */
export function strayScratch(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const owner = scratchOwner(name);
    return owner !== undefined && !isOwnerAlive(owner);
  });
}

/** Remove the scratch entries in `dir` that dead processes left; returns their names. */
export function sweepScratch(dir: string): string[] {
  const stray = strayScratch(dir);
  for (const name of stray) removeTree(path.join(dir, name));
  return stray;
}
