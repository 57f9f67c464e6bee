/**
 * `--private-cgroup2`: run the whole suite again in a private mount
 * namespace where the cgroup v2 hierarchy of a hybrid host is unmounted.
 * Some runtimes (crun 1.8) refuse a host that mounts cgroup v1 controllers
 * and a cgroup2 hierarchy side by side; without the cgroup2 mount they see a
 * plain v1 host. The harness moves into the namespace with the runtime, so
 * the checks that compare the runtime's namespaces with the harness's (hooks
 * run in the runtime namespace) still compare like with like. Nothing
 * outside the namespace changes: the unmount is private to it.
 */
import { spawn } from 'node:child_process';

/** Set in the re-executed suite, so that it does not re-execute again. */
export const PRIVATE_CGROUP2_ENV = 'OCIKIT_RUNTIME_TEST_PRIVATE_CGROUP2';

/**
 * Run `node script args` under `unshare --mount --propagation private` after
 * unmounting `cgroup2Mount` there; resolves with its exit status. SIGINT and
 * SIGTERM reach the child (it removes its containers and exits 130).
 */
export function runWithoutCgroup2(cgroup2Mount: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'umount "$0" && exec "$@"', cgroup2Mount, process.execPath, script, ...args], {
    stdio: 'inherit',
    env: { ...env, [PRIVATE_CGROUP2_ENV]: '1' },
  });
  const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(err));
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 128 + 15));
    });
  });
}
