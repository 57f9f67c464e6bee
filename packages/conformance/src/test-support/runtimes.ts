/**
 * The runtimes the tests drive: runc's path and peers, the containers it
 * still lists under a folder, and each runtime's known deviations.
 */
import { spawnSync } from 'node:child_process';
import { findPeer } from '@ocikit/testkit';

/** Real containers: root, Debian's runc and busybox-static. */
export const RUNC_PEERS = ['root', 'runc', 'busybox'] as const;
export const RUNC = findPeer('runc') ?? 'runc';

/** Containers runc still lists whose bundle lies under `dir` (other suites may run containers meanwhile). */
export function containersUnder(dir: string): string[] {
  const r = spawnSync(RUNC, ['list', '--format', 'json'], { encoding: 'utf8' });
  const list = (JSON.parse(r.stdout || 'null') ?? []) as { id: string; bundle: string }[];
  return list.filter((c) => c.bundle.startsWith(`${dir}/`)).map((c) => c.id);
}

/**
 * Where Debian's runc 1.1.5 really deviates from runtime-spec (each named
 * with its sentence in the README). A harness change that makes any other
 * check fail against runc is a harness bug.
 */
export const RUNC_DEVIATIONS: readonly string[] = [
  // "The poststart hooks MUST be called after the user-specified process is executed": runc 1.1 runs them at the end of create.
  'hooks.poststart',
  // "If any startContainer hook fails, the runtime MUST generate an error": runc start exits 0.
  'hooks.fail-startContainer',
  // "If any poststart hook fails, the runtime MUST log a warning, but ... continue": runc fails create.
  'hooks.fail-poststart',
  // Same sentence for poststop: runc skips the remaining poststop hooks.
  'hooks.fail-poststop',
  // runtime-spec 1.0.2 (what runc declares): "Any value which cannot be mapped to a relevant kernel interface MUST cause an error";
  // runc 1.1 already follows the 1.1.0 wording (warn, go on: runtime-spec#1094, runc#2854) and runs with an unknown capability.
  'capabilities.unknown-error',
  // "If `rlimits` contains duplicated entries with same `type`, the runtime MUST generate an error": runc applies both entries.
  'process.rlimits-duplicate',
  // linux.personality (runtime-spec 1.0.2): runc 1.1 ignores it (support came in runc 1.2, runc#4082).
  'personality.linux32',
  // linux.seccomp.flags (runtime-spec 1.0.2): runc 1.1 refuses any flag, "seccomp flags are not yet supported by runc" (support came in runc 1.2, runc#3390).
  'seccomp.flags',
  // "Attempting to `delete` a container that is not `stopped` MUST have no effect on the container and MUST generate an error":
  // runc delete kills and removes a created container (runc#1774, closed as intended; runtime-tools validation/delete fails likewise).
  'lifecycle.delete-created',
  // "Runtimes MUST generate an error when invalid or unsupported values are encountered": runc accepts ociVersion "invalid" (runc#1846).
  'lifecycle.invalid-version',
  // linux.resources.memory.kernelTCP: "All of the properties configured in config.json except for process MUST be applied" (create);
  // runc 1.1 ignores kernel and kernelTCP with a warning (runc#2840, "Ignore kernel memory settings") though the kernel takes memory.kmem.tcp.limit_in_bytes.
  'resources.memory-kernel-tcp',
  // "The runtime MUST apply entries in the listed order": runc appends its own rules after the configured ones, among them
  // "c *:* m" and "b *:* m" (libcontainer/specconv AllowedDevices, "questionable (if not outright wrong) according to the runtime-spec" in runc's own comment), so mknod is never denied.
  'devices.cgroup-mknod',
  // linux.rootfsPropagation "shared" / "unbindable": "the rootfs mount belongs to a new peer group" / "cannot be bind-mounted":
  // runc 1.1 applies the flag to the runtime's old "/" before pivot_root and binds the rootfs private (runc#1755; fixed in runc 1.4.0 and 1.2.x, runc#4724, runc#4791).
  'rootfs.propagation-shared',
  'rootfs.propagation-unbindable',
  // linux.rootfsPropagation "slave": "the rootfs mount receives propagation events from the host": runc 1.1 makes a shared parent of the rootfs
  // private before binding it, so host mounts do not reach the container (fixed on runc main in 2026, "fix(libcontainer): preserve rootfs slave propagation").
  'rootfs.propagation-slave',
];

/**
 * Where Debian's crun 1.8.1 deviates, run with `--private-cgroup2` (it
 * refuses this hybrid cgroup host otherwise). runc run the same way shows
 * exactly its own list above, so the private mount namespace is not what
 * these checks see.
 */
export const CRUN_DEVIATIONS: readonly string[] = [
  // Same sentence as runc's: crun delete kills and removes a created container and exits 0.
  'lifecycle.delete-created',
  // "`bundle` (string, REQUIRED) is the absolute path": startContainer hooks read "status": "starting" and "bundle": "/".
  'hooks.state-stdin',
  // "The poststart hooks MUST be called after the user-specified process is executed": crun runs them before the program.
  'hooks.poststart',
  // "If any startContainer hook fails, the runtime MUST generate an error": crun start exits 0.
  'hooks.fail-startContainer',
  // After a failing createRuntime hook the lifecycle continues "at step 12", and step 13 invokes the poststop hooks: crun runs none.
  'hooks.fail-runs-poststop',
  // runtime-spec 1.0.0 (what crun declares): "Any value which cannot be mapped to a relevant kernel interface MUST cause an error": crun runs the container.
  'capabilities.unknown-error',
  // "If `rlimits` contains duplicated entries with same `type`, the runtime MUST generate an error": crun applies both.
  'process.rlimits-duplicate',
  // Mount propagation options of a bind ("rshared", "rslave", "runbindable"): crun 1.8 leaves the bind private.
  'mounts.propagation-rshared',
  'mounts.propagation-rslave',
  'mounts.propagation-runbindable',
  // linux.rootfsPropagation "slave": host mounts do not reach the container, as with runc 1.1.
  'rootfs.propagation-slave',
  // "If a `namespaces` field contains duplicated namespaces with same `type`, the runtime MUST generate an error": crun accepts two ipc entries.
  'namespaces.duplicate',
  // "The runtime MUST apply entries in the listed order": as runc, crun adds its own mknod rules after the configured ones.
  'devices.cgroup-mknod',
  // Beyond the spec (MAY, runc's command line): crun update of a stopped container and resume of a running one exit 0.
  'update.stopped',
  'update.resume-running',
];
