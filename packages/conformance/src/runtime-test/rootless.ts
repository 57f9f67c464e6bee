/**
 * `--rootless`: which checks need root, and why. An unprivileged user's
 * runtime runs in a user namespace it made, mapping the user to root; what
 * such a runtime cannot do is not a deviation, so those checks are skipped
 * with the reason. One table, by check id pattern (select.ts's syntax).
 */
import { matchesPattern } from './select.js';

/** Patterns of check ids that need root, with the reason a rootless run gives. */
export const NEEDS_ROOT: readonly (readonly [pattern: string, reason: string])[] = [
  ['process.user', 'only your own user and group are mapped into the container: another uid or gid does not exist there'],
  ['process.user-combined', 'only your own user and group are mapped into the container: another uid or gid does not exist there'],
  ...['bounding', 'permitted', 'effective', 'inheritable', 'ambient'].map(
    (set) => [`capabilities.${set}`, 'the check compares a root process with one of another uid, and only your own uid is mapped into the container'] as const,
  ),
  ['process.additional-gids', 'only your own group is mapped into the container: other gids do not exist there'],
  ['process.capabilities-nonroot', 'only your own user is mapped into the container: a non-root uid does not exist there'],
  ['linux.namespaces-inherit', 'the check shares every namespace with the runtime, and an unprivileged runtime needs a user namespace of its own'],
  ['linux.namespaces-path', "joining a namespace the host's user namespace owns needs CAP_SYS_ADMIN there"],
  ['namespaces.path-*', "joining a namespace another user namespace owns needs CAP_SYS_ADMIN in that one, and each rootless container has its own"],
  ['namespaces.inherit-pid', "sharing the runtime's pid namespace from a new user namespace needs CAP_SYS_ADMIN where that pid namespace was made"],
  ['linux.devices', 'device nodes cannot be made from a user namespace (mknod needs CAP_MKNOD in the initial user namespace)'],
  ['resources', 'cgroup resources need a writable cgroup hierarchy, which an unprivileged runtime has only by delegation'],
  ['lifecycle.delete-cgroups-path', 'the check places the container in a cgroup, which needs a writable cgroup hierarchy'],
  ['lifecycle.delete-foreign-cgroup', 'the check makes a cgroup of its own, which needs a writable cgroup hierarchy'],
  ['devices.cgroup*', 'the device cgroup needs a writable cgroup hierarchy'],
  ['update', 'updates, pause and resume need a writable cgroup hierarchy'],
  ['userns', 'mapping ranges of ids other than your own needs root (or newuidmap with /etc/subuid ranges)'],
];

/** The reason check `id` cannot run rootless, or undefined when it can. */
export function needsRoot(id: string): string | undefined {
  const hit = NEEDS_ROOT.find(([pattern]) => matchesPattern(id, pattern));
  return hit === undefined ? undefined : `rootless: ${hit[1]}`;
}
