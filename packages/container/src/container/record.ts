/**
 * What the store remembers of a container: `containers/NAME/container.json`,
 * written once at creation (temp file and rename). The runtime keeps the
 * live state; this record says where to ask (runtime path and root) and
 * what to clean up (rootfs mount, image in use).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContainerError, ContainerErrorCode, ContainerSpecRef, q } from '../errors.js';
import type { StorePaths } from '../store/store-root.js';

export const RECORD_FILE = 'container.json';

/** How the container's rootfs was made from the cached one. */
export const RootfsKind = {
  /** An overlay mount: the cached rootfs read-only below, the container's changes in `upper/`. */
  Overlay: 'overlay',
  /** A copy (reflinked where the filesystem can), verified against the cached bundle's digest. */
  Copy: 'copy',
} as const;
export type RootfsKind = (typeof RootfsKind)[keyof typeof RootfsKind];

export interface ContainerRecord {
  /** Its name, which is also the runtime's container ID. */
  name: string;
  /** The store name of its image, and that image's manifest digest. */
  image: string;
  manifestDigest: string;
  /** The runtime executable and its state directory (`--root`; undefined for its default). */
  runtime: string;
  runtimeRoot?: string;
  /** The process's arguments. */
  command: string[];
  created: string;
  rootfs: RootfsKind;
  /** `--rm`: removed when its process ends. */
  autoRemove: boolean;
  detached: boolean;
}

/** runc and crun accept IDs of these characters; a name must also be a file name. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function checkContainerName(name: string): void {
  if (!NAME.test(name)) {
    throw new ContainerError(ContainerErrorCode.InvalidName, `container name ${q(name)} is not [a-zA-Z0-9][a-zA-Z0-9_.-]* of at most 128 characters`, { ref: ContainerSpecRef.CommandLine });
  }
}

/** A fresh name, as podman makes container IDs: random hex. */
export function generateContainerName(): string {
  return `ocikit-${randomBytes(6).toString('hex')}`;
}

export function containerDir(paths: StorePaths, name: string): string {
  return path.join(paths.containers, name);
}

export function writeRecord(dir: string, record: ContainerRecord): void {
  const tmp = path.join(dir, `.${RECORD_FILE}.${process.pid}`);
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path.join(dir, RECORD_FILE));
}

/** The record of `name`; NO_SUCH_CONTAINER when the store has none. */
export function readRecord(paths: StorePaths, name: string): ContainerRecord {
  checkContainerName(name);
  try {
    return JSON.parse(readFileSync(path.join(containerDir(paths, name), RECORD_FILE), 'utf8')) as ContainerRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ContainerError(ContainerErrorCode.NoSuchContainer, `no container named ${q(name)} in the store ${q(paths.root)} (see ocikit ps)`);
    throw err;
  }
}

/** Every container record of the store, by name; folders without a record (being created or removed) are skipped. */
export function listRecords(paths: StorePaths): ContainerRecord[] {
  let names: string[];
  try {
    names = readdirSync(paths.containers);
  } catch {
    return [];
  }
  const records: ContainerRecord[] = [];
  for (const n of names.sort()) {
    if (!NAME.test(n)) continue;
    try {
      records.push(JSON.parse(readFileSync(path.join(paths.containers, n, RECORD_FILE), 'utf8')) as ContainerRecord);
    } catch {
      // Being created, or half removed: not a container yet, or no more.
    }
  }
  return records;
}
