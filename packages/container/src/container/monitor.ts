/**
 * `--rm` for a detached container: a small process that outlives the
 * `ocikit run` which started it, waits for the container's process to end
 * and then removes the container. Started detached (its own session, no
 * stdio) by {@link startRemovalMonitor}; run as
 * `node monitor.js STORE_ROOT NAME PID`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { storePaths } from '../store/store-root.js';
import { removeContainer } from './lifecycle.js';

const POLL_MS = 100;

/** Start the monitor of container `name`, whose process is `pid`. */
export function startRemovalMonitor(storeRoot: string, name: string, pid: number): void {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [script, storeRoot, name, String(pid)], { detached: true, stdio: 'ignore' });
  child.unref();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function monitor(storeRoot: string, name: string, pid: number): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, POLL_MS));
  await removeContainer(storePaths(storeRoot), name, { force: true });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [storeRoot, name, pid] = process.argv.slice(2);
  if (storeRoot !== undefined && name !== undefined && pid !== undefined && /^[0-9]+$/.test(pid)) {
    // A container removed by hand meanwhile is nothing to do.
    monitor(storeRoot, name, Number(pid)).catch(() => undefined);
  }
}
