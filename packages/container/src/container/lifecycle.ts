/**
 * Containers of a store over the runtime's lifecycle (runtime-spec
 * runtime.md: create, start, state, kill, delete): create one from a cached
 * image, list them, ask their state, signal, exec into and remove them.
 * The runtime owns the live state; the store owns the bundle and record.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { StdioOptions } from 'node:child_process';
import { ConfinedRoot, onInterrupt, resolveUser } from '@ocikit/bundle';
import type { ImageConfig } from '@ocikit/image-spec';
import { ContainerError, ContainerErrorCode, q } from '../errors.js';
import { OciRuntime, type RuntimeState } from '../runtime/oci-runtime.js';
import type { StorePaths } from '../store/store-root.js';
import { removeOwnTree } from '../store/remove-tree.js';
import { containerConfig, type ProcessOptions } from './process.js';
import { checkContainerName, containerDir, generateContainerName, listRecords, readRecord, writeRecord, type ContainerRecord } from './record.js';
import { makeContainerRootfs, unmountContainerRootfs } from './rootfs.js';
import { foregroundStdio, waitForeground } from './attach.js';

/** A container in the store, with where its bundle is. */
export interface Container {
  record: ContainerRecord;
  dir: string;
  bundle: string;
}

export interface CreateContainerOptions extends ProcessOptions {
  name?: string;
  image: { name: string; digest: string; config: ImageConfig; cachedBundle: string };
  runtime: OciRuntime;
  autoRemove?: boolean;
  detached?: boolean;
}

/** Whether this process runs unprivileged, so that the container needs a user namespace. */
export function isRootless(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() !== 0;
}

/**
 * The runtime state directory for this user: the runtime's own default for
 * root (so that `runc list` shows ocikit's containers), else one under
 * $XDG_RUNTIME_DIR (or the temp directory) that the user owns.
 */
export function runtimeRootFor(runtimePath: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!isRootless()) return undefined;
  const base = env['XDG_RUNTIME_DIR'] || path.join(os.tmpdir(), `ocikit-${process.geteuid!()}`);
  return path.join(base, 'ocikit', path.basename(runtimePath));
}

/**
 * Make a container's folder, rootfs and config.json, and its record. The
 * name is taken atomically (mkdir): two creates of one name, one wins and
 * the other is refused (CONTAINER_NAME_IN_USE). A failure, or an
 * interruption, removes everything made.
 */
export async function createContainer(paths: StorePaths, options: CreateContainerOptions): Promise<Container> {
  const name = options.name ?? generateContainerName();
  checkContainerName(name);
  mkdirSync(paths.containers, { recursive: true, mode: 0o700 });
  const dir = containerDir(paths, name);
  try {
    mkdirSync(dir, { mode: 0o711 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ContainerError(ContainerErrorCode.NameInUse, `a container named ${q(name)} already exists (ocikit delete ${name} removes it)`);
    throw err;
  }
  const discard = () => {
    try {
      unmountContainerRootfs(dir);
    } finally {
      removeOwnTree(dir);
    }
  };
  const forget = onInterrupt(discard);
  try {
    const rootless = options.rootless ?? isRootless();
    const kind = await makeContainerRootfs(options.image.cachedBundle, dir, { rootless });
    const bundle = path.join(dir, 'bundle');
    const spec = await containerConfig(options.image.config, path.join(bundle, 'rootfs'), { ...options, rootless, hostname: options.hostname ?? name.slice(0, 63) });
    writeFileSync(path.join(bundle, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o644 });
    const record: ContainerRecord = {
      name,
      image: options.image.name,
      manifestDigest: options.image.digest,
      runtime: options.runtime.path,
      ...(options.runtime.root !== undefined && { runtimeRoot: options.runtime.root }),
      command: spec.process?.args ?? [],
      created: new Date().toISOString(),
      rootfs: kind,
      autoRemove: options.autoRemove === true,
      detached: options.detached === true,
    };
    writeRecord(dir, record);
    return { record, dir, bundle };
  } catch (err) {
    discard();
    throw err;
  } finally {
    forget();
  }
}

/** The runtime a container was created with. */
export function runtimeOf(record: ContainerRecord, env?: NodeJS.ProcessEnv): OciRuntime {
  return new OciRuntime({ path: record.runtime, ...(record.runtimeRoot !== undefined && { root: record.runtimeRoot }), ...(env && { env }) });
}

/** A container and what its runtime says of it (`stopped`, `running`...; `unknown` when the runtime has no state, e.g. after a reboot). */
export interface ContainerStatus {
  record: ContainerRecord;
  status: string;
  pid?: number;
  state?: RuntimeState;
}

export async function containerStatus(paths: StorePaths, name: string): Promise<ContainerStatus> {
  const record = readRecord(paths, name);
  return statusOf(record);
}

async function statusOf(record: ContainerRecord): Promise<ContainerStatus> {
  const state = await runtimeOf(record).state(record.name);
  if (state === undefined) return { record, status: 'unknown' };
  return { record, status: state.status, ...(state.pid !== undefined && state.pid > 0 && { pid: state.pid }), state };
}

/** Every container of the store with its status (`ocikit ps`). */
export async function listContainers(paths: StorePaths): Promise<ContainerStatus[]> {
  return Promise.all(listRecords(paths).map(statusOf));
}

/** Manifest digests the store's containers use: their images stay unpacked. */
export function imagesInUse(paths: StorePaths): Set<string> {
  return new Set(listRecords(paths).map((r) => r.manifestDigest));
}

/** Send a signal (`TERM`, `SIGKILL`, `9`...) to the container's process. */
export async function killContainer(paths: StorePaths, name: string, signal = 'TERM'): Promise<void> {
  const record = readRecord(paths, name);
  await runtimeOf(record).kill(record.name, signal.replace(/^SIG/i, '').toUpperCase());
}

/**
 * Remove a container: the runtime's state (`delete`, forced when `force`;
 * a running container without force is refused), the overlay mount, and
 * its folder. Safe to repeat after a crash half way.
 */
export async function removeContainer(paths: StorePaths, name: string, options: { force?: boolean } = {}): Promise<void> {
  const record = readRecord(paths, name);
  const runtime = runtimeOf(record);
  const state = await runtime.state(record.name);
  if (state !== undefined) {
    if (!options.force && (state.status === 'running' || state.status === 'creating')) {
      throw new ContainerError(ContainerErrorCode.ContainerRunning, `container ${q(name)} is ${state.status}: stop it (ocikit kill ${name}) or delete it with --force`);
    }
    await runtime.delete(record.name, { force: options.force === true || state.status === 'created' });
  }
  const dir = containerDir(paths, name);
  unmountContainerRootfs(dir);
  removeOwnTree(dir);
}

export interface ExecInContainerOptions {
  tty?: boolean;
  interactive?: boolean;
  env?: readonly string[];
  workdir?: string;
  /** `USER[:GROUP]`, names resolved in the container's rootfs. */
  user?: string;
  stdio?: StdioOptions;
  stdinIsTty?: boolean;
}

/** `ocikit exec NAME CMD...`: a new process in a running container; its exit status. */
export async function execInContainer(paths: StorePaths, name: string, args: readonly string[], options: ExecInContainerOptions = {}): Promise<number> {
  const record = readRecord(paths, name);
  const runtime = runtimeOf(record);
  const state = await runtime.state(record.name);
  if (state?.status !== 'running') {
    throw new ContainerError(ContainerErrorCode.RuntimeFailed, `container ${q(name)} is ${state?.status ?? 'not known to its runtime'}; exec needs it running`);
  }
  if (args.length === 0) throw new ContainerError(ContainerErrorCode.NoCommand, 'exec: name the command to run in the container');
  let user: string | undefined;
  if (options.user !== undefined) {
    const root = new ConfinedRoot(path.join(containerDir(paths, name), 'bundle', 'rootfs'));
    const { user: u } = resolveUser(options.user, root);
    user = `${u.uid}:${u.gid}`;
  }
  const io = foregroundStdio({ ...(options.interactive !== undefined && { interactive: options.interactive }), ...(options.tty !== undefined && { tty: options.tty }), stdinIsTty: options.stdinIsTty ?? process.stdin.isTTY === true });
  const child = runtime.exec(record.name, args, {
    stdio: options.stdio ?? io.stdio,
    ownProcessGroup: io.ownProcessGroup,
    ...(options.tty !== undefined && { tty: options.tty }),
    ...(options.env !== undefined && { env: options.env }),
    ...(options.workdir !== undefined && { cwd: options.workdir }),
    ...(user !== undefined && { user }),
  });
  return waitForeground(child, { runtime, id: record.name, ownProcessGroup: io.ownProcessGroup, viaRuntime: false });
}
