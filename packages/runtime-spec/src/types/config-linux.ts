/**
 * The Linux section of `config.json` (runtime-spec `config-linux.md`) and the
 * Linux-only process fields of `config.md`.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md
 */
import type { IDMapping, Int32, Int64, StringMap, Uint16, Uint32, Uint64 } from './defs.js';

/**
 * Linux-specific configuration.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md
 */
export interface Linux {
  /** OPTIONAL. Namespaces to create or join; types MUST be unique. */
  namespaces?: LinuxNamespace[];
  /** OPTIONAL. UID mappings from the host to the container user namespace; imply a `user` namespace. */
  uidMappings?: IDMapping[];
  /** OPTIONAL. GID mappings from the host to the container user namespace; imply a `user` namespace. */
  gidMappings?: IDMapping[];
  /**
   * OPTIONAL. Offsets of the clocks of a new `time` namespace, keyed by clock
   * (`monotonic`, `boottime`); requires a `time` namespace.
   */
  timeOffsets?: LinuxTimeOffsets;
  /** OPTIONAL. Devices that MUST be available in the container. */
  devices?: LinuxDevice[];
  /**
   * OPTIONAL. Network devices moved into the container's network namespace,
   * keyed by the host interface name; requires a `network` namespace.
   */
  netDevices?: LinuxNetDevices;
  /**
   * OPTIONAL. Path to the cgroups of the container, absolute (relative to the
   * cgroup mount point) or relative (to the runtime's cgroup).
   */
  cgroupsPath?: string;
  /** OPTIONAL. Cgroup resource limits. */
  resources?: LinuxResources;
  /** OPTIONAL. Intel RDT (resctrl) settings. */
  intelRdt?: LinuxIntelRdt;
  /** OPTIONAL. NUMA memory policy of the container process (`set_mempolicy(2)`). */
  memoryPolicy?: LinuxMemoryPolicy;
  /** OPTIONAL. Kernel parameters set for the container; `net.*` need a network namespace. */
  sysctl?: StringMap;
  /** OPTIONAL. Seccomp filter of the container process. */
  seccomp?: LinuxSeccomp;
  /** OPTIONAL. Mount propagation of the rootfs. */
  rootfsPropagation?: LinuxRootfsPropagation;
  /** OPTIONAL. Paths masked so they cannot be read; MUST be absolute. */
  maskedPaths?: string[];
  /** OPTIONAL. Paths made read-only; MUST be absolute. */
  readonlyPaths?: string[];
  /** OPTIONAL. SELinux context of the container's mounts. */
  mountLabel?: string;
  /** OPTIONAL. Execution domain of the container process (`personality(2)`). */
  personality?: LinuxPersonality;
}

/**
 * A namespace type (runtime-spec `config-linux.md`, "Namespaces").
 */
export type LinuxNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

/**
 * One namespace to create or join.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#namespaces
 */
export interface LinuxNamespace {
  /** REQUIRED. Namespace type. */
  type: LinuxNamespaceType;
  /**
   * OPTIONAL. Namespace file to join; MUST be an absolute path in the runtime
   * mount namespace. Without it the runtime MUST create a new namespace.
   */
  path?: string;
}

/** One clock offset of a time namespace. */
export interface LinuxTimeOffset {
  /** OPTIONAL. Offset in seconds. */
  secs?: Int64;
  /** OPTIONAL. Offset in nanoseconds. */
  nanosecs?: Uint32;
}

/** Offsets of a time namespace, keyed by clock: `monotonic` or `boottime`. */
export interface LinuxTimeOffsets {
  [clock: string]: LinuxTimeOffset;
}

/**
 * A device node type: `c` character, `b` block, `u` unbuffered character, `p` FIFO.
 */
export type LinuxDeviceType = 'c' | 'b' | 'u' | 'p';

/**
 * A device created in the container.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#devices
 */
export interface LinuxDevice {
  /** REQUIRED. Type of device. */
  type: LinuxDeviceType;
  /** REQUIRED. Full path of the device inside the container. */
  path: string;
  /** Major number; REQUIRED unless `type` is `p`. */
  major?: Int64;
  /** Minor number; REQUIRED unless `type` is `p`. */
  minor?: Int64;
  /** OPTIONAL. File mode of the device (permission bits and type bits allowed). */
  fileMode?: Uint32;
  /** OPTIONAL. Owner UID in the container namespace. */
  uid?: Uint32;
  /** OPTIONAL. Owner GID in the container namespace. */
  gid?: Uint32;
}

/**
 * A network device moved into the container.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#network-devices
 */
export interface LinuxNetDevice {
  /** OPTIONAL. Name of the device inside the container; defaults to the host name (the key). */
  name?: string;
}

/** Network devices keyed by their name on the host. */
export interface LinuxNetDevices {
  [hostName: string]: LinuxNetDevice;
}

/**
 * Cgroup resource limits.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#control-groups
 */
export interface LinuxResources {
  /** OPTIONAL. Device cgroup rules, applied in order. */
  devices?: LinuxDeviceCgroup[];
  /** OPTIONAL. Memory cgroup settings. */
  memory?: LinuxMemory;
  /** OPTIONAL. CPU and cpuset cgroup settings. */
  cpu?: LinuxCPU;
  /** OPTIONAL. Block I/O cgroup settings. */
  blockIO?: LinuxBlockIO;
  /** OPTIONAL. Hugetlb limits per page size. */
  hugepageLimits?: LinuxHugepageLimit[];
  /** OPTIONAL. net_cls and net_prio settings. */
  network?: LinuxNetwork;
  /** OPTIONAL. Pids cgroup settings. */
  pids?: LinuxPids;
  /** OPTIONAL. RDMA cgroup limits keyed by device name. */
  rdma?: LinuxRdmaMap;
  /** OPTIONAL. cgroup v2 files and values, written as given. */
  unified?: StringMap;
}

/**
 * One device cgroup rule.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#allowed-device-list
 */
export interface LinuxDeviceCgroup {
  /** REQUIRED. Whether the entry allows or denies. */
  allow: boolean;
  /** OPTIONAL. `a` (all), `c` or `b`; defaults to `a`. */
  type?: string;
  /** OPTIONAL. Major number; unset or -1 matches all. */
  major?: Int64;
  /** OPTIONAL. Minor number; unset or -1 matches all. */
  minor?: Int64;
  /** OPTIONAL. Access: a combination of `r`, `w` and `m`; defaults to `rwm`. */
  access?: string;
}

/**
 * Memory cgroup settings; values in bytes, -1 is unlimited.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#memory
 */
export interface LinuxMemory {
  /** OPTIONAL. Memory usage limit. */
  limit?: Int64;
  /** OPTIONAL. Soft limit; at most `limit`. */
  reservation?: Int64;
  /** OPTIONAL. Memory plus swap limit; at least `limit`. */
  swap?: Int64;
  /** OPTIONAL, DEPRECATED. Kernel memory limit. */
  kernel?: Int64;
  /** OPTIONAL, DEPRECATED. Kernel TCP buffer memory limit. */
  kernelTCP?: Int64;
  /**
   * OPTIONAL. Swappiness, 0 to 100.
   * @TJS-type integer
   * @minimum 0
   */
  swappiness?: number;
  /** OPTIONAL. Disable the OOM killer for the cgroup. */
  disableOOMKiller?: boolean;
  /** OPTIONAL. Enable hierarchical memory accounting. */
  useHierarchy?: boolean;
  /** OPTIONAL. On update, fail if the new limit is below current usage. */
  checkBeforeUpdate?: boolean;
}

/**
 * CPU and cpuset cgroup settings.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#cpu
 */
export interface LinuxCPU {
  /** OPTIONAL. Relative share of CPU time. */
  shares?: Uint64;
  /** OPTIONAL. CPU time (microseconds) allowed per `period`. */
  quota?: Int64;
  /** OPTIONAL. Accumulated CPU time (microseconds) usable beyond the quota. */
  burst?: Uint64;
  /** OPTIONAL. Period (microseconds) of the quota. */
  period?: Uint64;
  /** OPTIONAL. Realtime CPU time (microseconds) per `realtimePeriod`. */
  realtimeRuntime?: Int64;
  /** OPTIONAL. Realtime period (microseconds). */
  realtimePeriod?: Uint64;
  /** OPTIONAL. CPUs the container may use, list format (`0-3,7`). */
  cpus?: string;
  /** OPTIONAL. Memory nodes the container may use, list format. */
  mems?: string;
  /** OPTIONAL. cgroup v2 `cpu.idle`: 1 makes the cgroup SCHED_IDLE. */
  idle?: Int64;
}

/**
 * A block device (major, minor).
 */
export interface LinuxBlockIODevice {
  /** REQUIRED. Major number. */
  major: Int64;
  /** REQUIRED. Minor number. */
  minor: Int64;
}

/**
 * A per-device weight; at least one of `weight` and `leafWeight` MUST be given.
 */
export interface LinuxWeightDevice extends LinuxBlockIODevice {
  /** OPTIONAL. Bandwidth weight, 10 to 1000. */
  weight?: Uint16;
  /** OPTIONAL. Weight in the cgroup's children competition (cgroup v1 CFQ only). */
  leafWeight?: Uint16;
}

/** A per-device throttle. */
export interface LinuxThrottleDevice extends LinuxBlockIODevice {
  /** REQUIRED. Rate: bytes or I/O operations per second. */
  rate: Uint64;
}

/**
 * Block I/O cgroup settings.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#block-io
 */
export interface LinuxBlockIO {
  /** OPTIONAL. Default weight, 10 to 1000. */
  weight?: Uint16;
  /** OPTIONAL. Default leaf weight (cgroup v1 CFQ only). */
  leafWeight?: Uint16;
  /** OPTIONAL. Per-device weights. */
  weightDevice?: LinuxWeightDevice[];
  /** OPTIONAL. Per-device read bandwidth limits (bytes per second). */
  throttleReadBpsDevice?: LinuxThrottleDevice[];
  /** OPTIONAL. Per-device write bandwidth limits (bytes per second). */
  throttleWriteBpsDevice?: LinuxThrottleDevice[];
  /** OPTIONAL. Per-device read IOPS limits. */
  throttleReadIOPSDevice?: LinuxThrottleDevice[];
  /** OPTIONAL. Per-device write IOPS limits. */
  throttleWriteIOPSDevice?: LinuxThrottleDevice[];
}

/**
 * A hugetlb limit.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#huge-page-limits
 */
export interface LinuxHugepageLimit {
  /**
   * REQUIRED. Page size in the hugetlb controller's format, e.g. `2MB`, `64KB`.
   * @pattern ^[1-9][0-9]*[KMG]B$
   */
  pageSize: string;
  /** REQUIRED. Limit in bytes of hugepage usage. */
  limit: Uint64;
}

/** Priority of one network interface (net_prio). */
export interface LinuxInterfacePriority {
  /** REQUIRED. Interface name. */
  name: string;
  /** REQUIRED. Priority. */
  priority: Uint32;
}

/**
 * net_cls and net_prio settings.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#network
 */
export interface LinuxNetwork {
  /** OPTIONAL. Class identifier tagged on the cgroup's packets. */
  classID?: Uint32;
  /** OPTIONAL. Per-interface priorities. */
  priorities?: LinuxInterfacePriority[];
}

/**
 * Pids cgroup settings.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#pids
 */
export interface LinuxPids {
  /** Maximum number of tasks in the cgroup; 0 or -1 is unlimited. */
  limit?: Int64;
}

/** RDMA limits of one device. */
export interface LinuxRdma {
  /** OPTIONAL. Maximum number of HCA handles. */
  hcaHandles?: Uint32;
  /** OPTIONAL. Maximum number of HCA objects. */
  hcaObjects?: Uint32;
}

/**
 * RDMA limits keyed by device name.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#rdma
 */
export interface LinuxRdmaMap {
  [device: string]: LinuxRdma;
}

/**
 * Intel Resource Director Technology settings.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#intelrdt
 */
export interface LinuxIntelRdt {
  /** OPTIONAL. Class of service (resctrl group) name. */
  closID?: string;
  /** OPTIONAL. L3 cache allocation schema line(s), written to `schemata`. */
  l3CacheSchema?: string;
  /**
   * OPTIONAL. Memory bandwidth allocation schema line.
   * @pattern ^MB:[^\n]*$
   */
  memBwSchema?: string;
  /** OPTIONAL. Schema lines written as given to the `schemata` file. */
  schemata?: string[];
  /** OPTIONAL. Enable resctrl monitoring of the container. */
  enableMonitoring?: boolean;
  /** OPTIONAL, DEPRECATED by `enableMonitoring`. Cache monitoring. */
  enableCMT?: boolean;
  /** OPTIONAL, DEPRECATED by `enableMonitoring`. Memory bandwidth monitoring. */
  enableMBM?: boolean;
}

/** A memory policy mode (`set_mempolicy(2)`). */
export type LinuxMemoryPolicyMode =
  | 'MPOL_DEFAULT'
  | 'MPOL_BIND'
  | 'MPOL_INTERLEAVE'
  | 'MPOL_WEIGHTED_INTERLEAVE'
  | 'MPOL_PREFERRED'
  | 'MPOL_PREFERRED_MANY'
  | 'MPOL_LOCAL';

/** A memory policy mode flag. */
export type LinuxMemoryPolicyFlag = 'MPOL_F_NUMA_BALANCING' | 'MPOL_F_RELATIVE_NODES' | 'MPOL_F_STATIC_NODES';

/**
 * NUMA memory policy.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#memory-policy
 */
export interface LinuxMemoryPolicy {
  /** REQUIRED. Policy mode. */
  mode: LinuxMemoryPolicyMode;
  /** OPTIONAL. NUMA nodes, list format (`0-3,7`). */
  nodes?: string;
  /** OPTIONAL. Mode flags. */
  flags?: LinuxMemoryPolicyFlag[];
}

/** Seccomp actions. */
export type LinuxSeccompAction =
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_LOG'
  | 'SCMP_ACT_NOTIFY';

/** Seccomp architectures (libseccomp names). */
export type LinuxSeccompArch =
  | 'SCMP_ARCH_X86'
  | 'SCMP_ARCH_X86_64'
  | 'SCMP_ARCH_X32'
  | 'SCMP_ARCH_ARM'
  | 'SCMP_ARCH_AARCH64'
  | 'SCMP_ARCH_MIPS'
  | 'SCMP_ARCH_MIPS64'
  | 'SCMP_ARCH_MIPS64N32'
  | 'SCMP_ARCH_MIPSEL'
  | 'SCMP_ARCH_MIPSEL64'
  | 'SCMP_ARCH_MIPSEL64N32'
  | 'SCMP_ARCH_PPC'
  | 'SCMP_ARCH_PPC64'
  | 'SCMP_ARCH_PPC64LE'
  | 'SCMP_ARCH_S390'
  | 'SCMP_ARCH_S390X'
  | 'SCMP_ARCH_PARISC'
  | 'SCMP_ARCH_PARISC64'
  | 'SCMP_ARCH_RISCV64'
  | 'SCMP_ARCH_LOONGARCH64'
  | 'SCMP_ARCH_M68K'
  | 'SCMP_ARCH_SH'
  | 'SCMP_ARCH_SHEB';

/** Seccomp filter flags (`seccomp(2)`). */
export type LinuxSeccompFlag =
  | 'SECCOMP_FILTER_FLAG_TSYNC'
  | 'SECCOMP_FILTER_FLAG_LOG'
  | 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'
  | 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV';

/** Seccomp argument comparison operators. */
export type LinuxSeccompOperator =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

/**
 * The seccomp filter.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#seccomp
 */
export interface LinuxSeccomp {
  /** REQUIRED. Action when no rule matches. */
  defaultAction: LinuxSeccompAction;
  /** OPTIONAL. errno returned by `SCMP_ACT_ERRNO` as the default action (EPERM when unset). */
  defaultErrnoRet?: Uint32;
  /** OPTIONAL. Architectures the filter covers. */
  architectures?: LinuxSeccompArch[];
  /** OPTIONAL. Flags passed to `seccomp(2)`. */
  flags?: LinuxSeccompFlag[];
  /**
   * OPTIONAL. UNIX socket to which the runtime sends the seccomp state when an
   * `SCMP_ACT_NOTIFY` action is used; MUST be an absolute path.
   */
  listenerPath?: string;
  /** OPTIONAL. Opaque data passed to the seccomp agent in the state. */
  listenerMetadata?: string;
  /** OPTIONAL. Syscall rules, matched in order. */
  syscalls?: LinuxSyscall[];
}

/**
 * One seccomp syscall rule.
 */
export interface LinuxSyscall {
  /**
   * REQUIRED. Syscall names; MUST contain at least one entry.
   * @minItems 1
   */
  names: string[];
  /** REQUIRED. Action on match. */
  action: LinuxSeccompAction;
  /** OPTIONAL. errno returned for `SCMP_ACT_ERRNO`/`SCMP_ACT_TRACE` (EPERM when unset). */
  errnoRet?: Uint32;
  /** OPTIONAL. Argument conditions. */
  args?: LinuxSeccompArg[];
}

/** One seccomp argument condition. */
export interface LinuxSeccompArg {
  /** REQUIRED. Argument index (0 to 5). */
  index: Uint32;
  /** REQUIRED. Value compared with. */
  value: Uint64;
  /** OPTIONAL. Second value (mask for `SCMP_CMP_MASKED_EQ`). */
  valueTwo?: Uint64;
  /** REQUIRED. Operator. */
  op: LinuxSeccompOperator;
}

/** Rootfs mount propagation. */
export type LinuxRootfsPropagation = 'private' | 'shared' | 'slave' | 'unbindable';

/** Personality execution domain. */
export type LinuxPersonalityDomain = 'LINUX' | 'LINUX32';

/**
 * Execution domain of the container process.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-linux.md#personality
 */
export interface LinuxPersonality {
  /** REQUIRED. Execution domain. */
  domain: LinuxPersonalityDomain;
  /** OPTIONAL. Additional personality flags (currently none defined). */
  flags?: string[];
}

/**
 * Capability sets of the process (runtime-spec `config.md`, "Linux Process").
 * Names are those of capabilities(7), e.g. `CAP_CHOWN`.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#linux-process
 */
export interface LinuxCapabilities {
  /** OPTIONAL. Effective set. */
  effective?: string[];
  /** OPTIONAL. Bounding set. */
  bounding?: string[];
  /** OPTIONAL. Inheritable set. */
  inheritable?: string[];
  /** OPTIONAL. Permitted set. */
  permitted?: string[];
  /** OPTIONAL. Ambient set. */
  ambient?: string[];
}

/** Scheduling policies (`sched(7)`). */
export type LinuxSchedulerPolicy =
  | 'SCHED_OTHER'
  | 'SCHED_FIFO'
  | 'SCHED_RR'
  | 'SCHED_BATCH'
  | 'SCHED_ISO'
  | 'SCHED_IDLE'
  | 'SCHED_DEADLINE';

/** Scheduling flags (`sched_setattr(2)`). */
export type LinuxSchedulerFlag =
  | 'SCHED_FLAG_RESET_ON_FORK'
  | 'SCHED_FLAG_RECLAIM'
  | 'SCHED_FLAG_DL_OVERRUN'
  | 'SCHED_FLAG_KEEP_POLICY'
  | 'SCHED_FLAG_KEEP_PARAMS'
  | 'SCHED_FLAG_UTIL_CLAMP_MIN'
  | 'SCHED_FLAG_UTIL_CLAMP_MAX';

/**
 * Scheduling attributes of the process (runtime-spec `config.md`, "Linux Process").
 */
export interface LinuxScheduler {
  /** REQUIRED. Scheduling policy. */
  policy: LinuxSchedulerPolicy;
  /** OPTIONAL. Nice value (SCHED_OTHER, SCHED_BATCH), -20 to 19. */
  nice?: Int32;
  /** OPTIONAL. Static priority (SCHED_FIFO, SCHED_RR). */
  priority?: Int32;
  /** OPTIONAL. Scheduling flags. */
  flags?: LinuxSchedulerFlag[];
  /** OPTIONAL. SCHED_DEADLINE runtime, nanoseconds. */
  runtime?: Uint64;
  /** OPTIONAL. SCHED_DEADLINE deadline, nanoseconds. */
  deadline?: Uint64;
  /** OPTIONAL. SCHED_DEADLINE period, nanoseconds. */
  period?: Uint64;
}

/** I/O priority classes (`ioprio_set(2)`). */
export type LinuxIOPriorityClass = 'IOPRIO_CLASS_RT' | 'IOPRIO_CLASS_BE' | 'IOPRIO_CLASS_IDLE';

/**
 * I/O priority of the process (runtime-spec `config.md`, "Linux Process").
 */
export interface LinuxIOPriority {
  /** REQUIRED. Priority class. */
  class: LinuxIOPriorityClass;
  /**
   * REQUIRED. Priority level within the class, 0 (highest) to 7.
   * @TJS-type integer
   * @minimum 0
   * @maximum 7
   */
  priority: number;
}
