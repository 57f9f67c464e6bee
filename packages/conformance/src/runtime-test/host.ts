/**
 * What the host offers the runtime, read once before the checks run: the
 * cgroup hierarchies and their controllers, user namespaces, seccomp, the
 * Linux security modules, resctrl. A check that needs a feature the host
 * lacks is skipped with the feature named (`requireHost`), so that the
 * runtime is never blamed for the host.
 */
import { existsSync, readFileSync } from 'node:fs';
import { skip } from './errors.js';

/** The cgroup layout: v1 controllers each on a hierarchy, v2 alone, or both (hybrid). */
export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

export interface HostFeatures {
  readonly cgroup: CgroupMode;
  /** Controllers mounted as cgroup v1 hierarchies (`memory`, `cpu`, `pids`...). */
  readonly cgroupV1: ReadonlySet<string>;
  /** Controllers the cgroup v2 root offers (its `cgroup.controllers`). */
  readonly cgroupV2: ReadonlySet<string>;
  /** Where cgroup v2 is mounted, when it is. */
  readonly cgroupV2Mount: string | undefined;
  /** Unprivileged or privileged user namespaces can be made (`/proc/self/ns/user`, `max_user_namespaces` > 0). */
  readonly userNamespaces: boolean;
  /** The kernel has seccomp filters (`Seccomp:` in /proc/self/status). */
  readonly seccomp: boolean;
  /** AppArmor is enabled. */
  readonly apparmor: boolean;
  /** SELinux is enabled. */
  readonly selinux: boolean;
  /** resctrl (Intel RDT) is mounted at /sys/fs/resctrl. */
  readonly intelRdt: boolean;
  /** Time namespaces exist (`/proc/self/ns/time`). */
  readonly timeNamespaces: boolean;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Read the host's features (Linux; elsewhere every feature is absent). */
export function readHostFeatures(): HostFeatures {
  const mounts = (read('/proc/self/mountinfo') ?? '').split('\n').filter((l) => l.includes(' - '));
  const v1 = new Set<string>();
  let v2Mount: string | undefined;
  for (const line of mounts) {
    const [left = '', right = ''] = line.split(' - ');
    const mountPoint = left.split(' ')[4] ?? '';
    const [fsType = '', , superOptions = ''] = right.split(' ');
    if (fsType === 'cgroup2') v2Mount ??= mountPoint;
    if (fsType === 'cgroup') for (const o of superOptions.split(',')) if (!['rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec'].includes(o) && !o.startsWith('name=') && !o.includes('=')) v1.add(o);
  }
  const v2 = new Set((v2Mount === undefined ? '' : (read(`${v2Mount}/cgroup.controllers`) ?? '')).split(/\s+/).filter(Boolean));
  const cgroup: CgroupMode = v1.size > 0 && v2Mount !== undefined ? 'hybrid' : v1.size > 0 ? 'v1' : v2Mount !== undefined ? 'v2' : 'none';
  const status = read('/proc/self/status') ?? '';
  const maxUserNs = Number((read('/proc/sys/user/max_user_namespaces') ?? '0').trim());
  return {
    cgroup,
    cgroupV1: v1,
    cgroupV2: v2,
    cgroupV2Mount: v2Mount,
    userNamespaces: existsSync('/proc/self/ns/user') && maxUserNs > 0,
    seccomp: /^Seccomp:/m.test(status),
    apparmor: (read('/sys/module/apparmor/parameters/enabled') ?? '').trim() === 'Y',
    selinux: existsSync('/sys/fs/selinux/enforce'),
    intelRdt: existsSync('/sys/fs/resctrl/schemata'),
    timeNamespaces: existsSync('/proc/self/ns/time'),
  };
}

/**
 * Whether a cgroup controller can be used: a v1 hierarchy of it, or (on a v2
 * only host) the v2 root offering it. On a hybrid host runtimes put
 * resources on the v1 hierarchies, so only those count there.
 */
export function hasController(host: HostFeatures, controller: string): boolean {
  if (host.cgroup === 'v2') return host.cgroupV2.has(controller);
  return host.cgroupV1.has(controller);
}

/** Skip the running check unless the host has the cgroup controller. */
export function requireController(host: HostFeatures, controller: string): void {
  if (!hasController(host, controller)) skip(`host: no ${controller} cgroup controller (cgroup ${host.cgroup}${host.cgroup === 'hybrid' ? `; v1 hierarchies: ${[...host.cgroupV1].sort().join(', ')}` : ''})`);
}

/** Skip the running check unless the host has `feature` (a key of {@link HostFeatures} that is a boolean). */
export function requireHost(host: HostFeatures, feature: 'userNamespaces' | 'seccomp' | 'apparmor' | 'selinux' | 'intelRdt' | 'timeNamespaces'): void {
  if (!host[feature]) skip(`host: ${HOST_FEATURE_NAMES[feature]} not available`);
}

const HOST_FEATURE_NAMES = {
  userNamespaces: 'user namespaces',
  seccomp: 'seccomp',
  apparmor: 'AppArmor',
  selinux: 'SELinux',
  intelRdt: 'Intel RDT (resctrl at /sys/fs/resctrl)',
  timeNamespaces: 'time namespaces',
} as const;
