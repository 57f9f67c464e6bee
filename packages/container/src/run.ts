/**
 * `ocikit run`: from an image reference to a running container. Pull into
 * the store if needed (verified copy), unpack once per manifest (the rootfs
 * cache), give the container its own rootfs and config.json, then run it
 * under the runtime: in the foreground with its exit status as the result,
 * or detached. With `autoRemove`, the container and its folder are removed
 * on every path out (exit, signal, a failure to start).
 */
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { StdioOptions } from 'node:child_process';
import type { UnpackProgress } from '@ocikit/bundle';
import type { CopyProgress, RegistryOpener } from '@ocikit/transport';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { foregroundStdio, waitForeground } from './container/attach.js';
import { startRemovalMonitor } from './container/monitor.js';
import { createContainer, isRootless, removeContainer, runtimeRootFor, type Container } from './container/lifecycle.js';
import type { ProcessOptions } from './container/process.js';
import { OciRuntime } from './runtime/oci-runtime.js';
import { cachedSpecVersion } from './runtime/version-cache.js';
import { ImageStore, type PullPolicy } from './store/image-store.js';

export interface RunOptions extends Omit<ProcessOptions, 'rootless' | 'ociVersion'> {
  /** The store (default: `new ImageStore()` at the default root). */
  store?: ImageStore;
  /** `runc` (default), `crun`, or a path. */
  runtime?: string;
  name?: string;
  /** `--rm` (detached: a monitor process removes it when its process ends). */
  autoRemove?: boolean;
  /** `-d`: start it and return; its output goes to `containers/NAME/output.log`. */
  detach?: boolean;
  /** `-i`: keep stdin attached. */
  interactive?: boolean;
  platform?: string;
  pull?: PullPolicy;
  registry?: RegistryOpener;
  /** The manifest digest the image must have (a verified signature's). */
  digest?: string;
  /** The container's stdio when in the foreground (default: this process's, stdin only with -i or -t). */
  stdio?: StdioOptions;
  /** Whether this process's stdin is a terminal (default: process.stdin.isTTY). */
  stdinIsTty?: boolean;
  env?: readonly string[];
  runtimeEnv?: NodeJS.ProcessEnv;
  onPull?: (p: CopyProgress) => void;
  onUnpack?: (p: UnpackProgress) => void;
  /** Told about what was skipped while unpacking (device nodes rootless...). */
  warn?: (message: string) => void;
  /** Told once the container's process is started (foreground) with its name. */
  onStart?: (container: Container) => void;
}

export interface RunResult {
  name: string;
  image: string;
  digest: string;
  /** The process's exit status (foreground), undefined when detached. */
  status: number | undefined;
  pulled: boolean;
  unpacked: boolean;
  removed: boolean;
}

export async function runImage(image: string, options: RunOptions = {}): Promise<RunResult> {
  if (options.detach && options.tty) {
    throw new ContainerError(ContainerErrorCode.InvalidOption, '-t with -d needs a console socket to hand the terminal over, which ocikit does not keep; run -t in the foreground, or -d without -t');
  }
  const store = options.store ?? new ImageStore();
  const runtimeEnv = options.runtimeEnv ?? process.env;
  // The runtime is found before anything is pulled: none installed costs no download.
  const found = OciRuntime.find(options.runtime ?? 'runc', { env: runtimeEnv });
  const runtime = new OciRuntime({ path: found.path, env: runtimeEnv, ...(runtimeRootFor(found.path, runtimeEnv) !== undefined && { root: runtimeRootFor(found.path, runtimeEnv)! }) });
  const stored = await store.pull(image, {
    ...(options.platform !== undefined && { platform: options.platform }),
    ...(options.pull !== undefined && { policy: options.pull }),
    ...(options.registry && { registry: options.registry }),
    ...(options.digest !== undefined && { digest: options.digest }),
    ...(options.onPull && { onProgress: options.onPull }),
  });
  const rootless = isRootless();
  const cached = await store.unpacked(stored.descriptor.digest, { rootless, ...(options.warn && { warn: options.warn }), ...(options.onUnpack && { progress: options.onUnpack }) });
  const layout = await store.layout();
  const { config } = await layout.readImage(stored.descriptor);
  const ociVersion = (await cachedSpecVersion(store.paths, runtime)).version;
  const container = await createContainer(store.paths, {
    ...options,
    rootless,
    ociVersion,
    runtime,
    image: { name: stored.name, digest: stored.descriptor.digest, config: config, cachedBundle: cached.bundle },
    autoRemove: options.autoRemove === true,
    detached: options.detach === true,
  });
  const result = { name: container.record.name, image: stored.name, digest: stored.descriptor.digest, pulled: stored.pulled, unpacked: cached.unpacked };
  const remove = async () => {
    await removeContainer(store.paths, container.record.name, { force: true });
    return true;
  };
  if (options.detach) {
    const log = openSync(path.join(container.dir, 'output.log'), 'a', 0o600);
    let status: number;
    try {
      const child = runtime.run(container.record.name, container.bundle, { stdio: ['ignore', log, log], detach: true, ownProcessGroup: true });
      status = await waitForeground(child, { runtime, id: container.record.name, ownProcessGroup: true, viaRuntime: false });
    } catch (err) {
      await remove();
      throw err;
    } finally {
      closeSync(log);
    }
    if (status !== 0) {
      await remove();
      throw new ContainerError(ContainerErrorCode.RuntimeFailed, `${runtime.path} run --detach ${container.record.name}: exit ${status} (see the runtime's message above)`);
    }
    if (options.autoRemove) {
      const state = await runtime.state(container.record.name);
      // Already gone by the time we ask: remove it now; else a monitor removes it when its process ends.
      if (state?.pid === undefined || state.pid <= 0 || state.status === 'stopped') await remove();
      else startRemovalMonitor(store.paths.root, container.record.name, state.pid);
    }
    return { ...result, status: undefined, removed: false };
  }
  const io = foregroundStdio({ ...(options.interactive !== undefined && { interactive: options.interactive }), ...(options.tty !== undefined && { tty: options.tty }), stdinIsTty: options.stdinIsTty ?? process.stdin.isTTY === true });
  let status: number;
  try {
    const child = runtime.run(container.record.name, container.bundle, { stdio: options.stdio ?? io.stdio, ownProcessGroup: io.ownProcessGroup });
    options.onStart?.(container);
    status = await waitForeground(child, { runtime, id: container.record.name, ownProcessGroup: io.ownProcessGroup, viaRuntime: true });
  } catch (err) {
    if (options.autoRemove) await remove();
    throw err;
  }
  const removed = options.autoRemove ? await remove() : false;
  return { ...result, status, removed };
}
