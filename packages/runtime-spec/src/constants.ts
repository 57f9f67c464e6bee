/**
 * Vocabularies of the runtime-spec as `as const` objects, with the union
 * types derived from them. The type files in `types/` spell the same unions
 * out for the schema generator; `satisfies` below keeps the two in step.
 */
import type { ContainerStatus } from './types/state.js';
import type { LinuxNamespaceType } from './types/config-linux.js';

/** Runtime-spec version this package implements. */
export const RUNTIME_SPEC_VERSION = '1.3.0';

/** Container statuses (runtime-spec `runtime.md`, "State"). */
export const Status = {
  Creating: 'creating',
  Created: 'created',
  Running: 'running',
  Stopped: 'stopped',
} as const satisfies Record<string, ContainerStatus>;

/** Linux namespace types (runtime-spec `config-linux.md`, "Namespaces"). */
export const NamespaceType = {
  Pid: 'pid',
  Network: 'network',
  Mount: 'mount',
  Ipc: 'ipc',
  Uts: 'uts',
  User: 'user',
  Cgroup: 'cgroup',
  Time: 'time',
} as const satisfies Record<string, LinuxNamespaceType>;

/** Hook names (runtime-spec `config.md`, "POSIX-platform Hooks"), in lifecycle order. */
export const HookName = {
  Prestart: 'prestart',
  CreateRuntime: 'createRuntime',
  CreateContainer: 'createContainer',
  StartContainer: 'startContainer',
  Poststart: 'poststart',
  Poststop: 'poststop',
} as const;
export type HookName = (typeof HookName)[keyof typeof HookName];

/** Operating systems `defaultConfig` and the validator know about. */
export const TargetOS = {
  Linux: 'linux',
  Windows: 'windows',
  Solaris: 'solaris',
  FreeBSD: 'freebsd',
  ZOS: 'zos',
  VM: 'vm',
} as const;
export type TargetOS = (typeof TargetOS)[keyof typeof TargetOS];

/** Linux capabilities known to capabilities(7), up to Linux 6.x. */
export const LINUX_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;
export type LinuxCapability = (typeof LINUX_CAPABILITIES)[number];

/** Resource names of Linux getrlimit(2). */
export const LINUX_RLIMITS = [
  'RLIMIT_AS',
  'RLIMIT_CORE',
  'RLIMIT_CPU',
  'RLIMIT_DATA',
  'RLIMIT_FSIZE',
  'RLIMIT_LOCKS',
  'RLIMIT_MEMLOCK',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_NOFILE',
  'RLIMIT_NPROC',
  'RLIMIT_RSS',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
  'RLIMIT_SIGPENDING',
  'RLIMIT_STACK',
] as const;

/** Resource names of Solaris getrlimit(3). */
export const SOLARIS_RLIMITS = ['RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE', 'RLIMIT_STACK', 'RLIMIT_AS', 'RLIMIT_VMEM'] as const;

/** Resource names of FreeBSD getrlimit(2). */
export const FREEBSD_RLIMITS = [
  'RLIMIT_AS',
  'RLIMIT_CORE',
  'RLIMIT_CPU',
  'RLIMIT_DATA',
  'RLIMIT_FSIZE',
  'RLIMIT_KQUEUES',
  'RLIMIT_MEMLOCK',
  'RLIMIT_NOFILE',
  'RLIMIT_NPROC',
  'RLIMIT_NPTS',
  'RLIMIT_RSS',
  'RLIMIT_SBSIZE',
  'RLIMIT_STACK',
  'RLIMIT_SWAP',
  'RLIMIT_UMTXP',
  'RLIMIT_VMEM',
] as const;

/**
 * Annotation keys in the reserved `org.opencontainers` namespace that the OCI
 * specs themselves define (image-spec `annotations.md` and `conversion.md`);
 * using them in a runtime configuration is expected, not a reservation breach.
 */
export const OCI_DEFINED_ANNOTATIONS = [
  'org.opencontainers.image.created',
  'org.opencontainers.image.authors',
  'org.opencontainers.image.url',
  'org.opencontainers.image.documentation',
  'org.opencontainers.image.source',
  'org.opencontainers.image.version',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.vendor',
  'org.opencontainers.image.licenses',
  'org.opencontainers.image.ref.name',
  'org.opencontainers.image.title',
  'org.opencontainers.image.description',
  'org.opencontainers.image.base.digest',
  'org.opencontainers.image.base.name',
  'org.opencontainers.image.os',
  'org.opencontainers.image.os.version',
  'org.opencontainers.image.os.features',
  'org.opencontainers.image.architecture',
  'org.opencontainers.image.variant',
  'org.opencontainers.image.exposedPorts',
  'org.opencontainers.image.stopSignal',
] as const;
