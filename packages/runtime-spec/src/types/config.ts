/**
 * The container configuration, `config.json` (runtime-spec `config.md`).
 * Platform sections live in `config-<platform>.ts`.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md
 */
import type { Annotations, IDMapping, Int32, OciVersion, Uint32, Uint64 } from './defs.js';
import type { Linux, LinuxCapabilities, LinuxIOPriority, LinuxScheduler } from './config-linux.js';
import type { Windows } from './config-windows.js';
import type { Solaris } from './config-solaris.js';
import type { VM } from './config-vm.js';
import type { ZOS } from './config-zos.js';
import type { FreeBSD } from './config-freebsd.js';

/**
 * The root of `config.json`.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md
 */
export interface Spec {
  /**
   * REQUIRED. Version of the runtime-spec the bundle complies with; MUST be
   * SemVer 2.0.0. A configuration for 1.x is compatible with every runtime
   * supporting that 1.x or later.
   */
  ociVersion: OciVersion;
  /**
   * OPTIONAL here, REQUIRED when `start` is called: the container process.
   */
  process?: Process;
  /**
   * The container's root filesystem. REQUIRED on every platform except
   * Windows Hyper-V containers, where it MUST NOT be set (Windows Server
   * containers require it).
   */
  root?: Root;
  /** OPTIONAL. Hostname seen inside the container; on Linux needs a new UTS namespace. */
  hostname?: string;
  /** OPTIONAL. Domain name seen inside the container; on Linux needs a new UTS namespace. */
  domainname?: string;
  /** OPTIONAL. Additional mounts beyond `root`; the runtime MUST mount them in the listed order. */
  mounts?: Mount[];
  /** OPTIONAL (POSIX). Hooks run at points of the container lifecycle. */
  hooks?: Hooks;
  /** OPTIONAL. Arbitrary metadata for the container. */
  annotations?: Annotations;
  /** OPTIONAL. Linux-specific configuration (`config-linux.md`). */
  linux?: Linux;
  /** OPTIONAL. Solaris-specific configuration (`config-solaris.md`). */
  solaris?: Solaris;
  /** Windows-specific configuration (`config-windows.md`); MUST be set when the target platform is Windows. */
  windows?: Windows;
  /** OPTIONAL. Virtual-machine-specific configuration (`config-vm.md`). */
  vm?: VM;
  /** OPTIONAL. z/OS-specific configuration (`config-zos.md`). */
  zos?: ZOS;
  /** OPTIONAL. FreeBSD-specific configuration (`config-freebsd.md`). */
  freebsd?: FreeBSD;
}

/**
 * The container's root filesystem (runtime-spec `config.md`, "Root").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#root
 */
export interface Root {
  /**
   * REQUIRED. Path to the root filesystem. On Windows a volume GUID path; on
   * POSIX an absolute path or a path relative to the bundle, which SHOULD be
   * the conventional `rootfs`. A directory MUST exist at this path.
   */
  path: string;
  /** OPTIONAL. If true the root filesystem MUST be read-only inside the container; on Windows it MUST be omitted or false. */
  readonly?: boolean;
}

/**
 * One mount (runtime-spec `config.md`, "Mounts").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#mounts
 */
export interface Mount {
  /**
   * REQUIRED. Path inside the container; MUST be absolute (a relative path is
   * deprecated on Linux). On Windows no destination may be nested in another.
   */
  destination: string;
  /** OPTIONAL. Filesystem type (Linux: one of `/proc/filesystems`, or a dummy such as `none` for bind mounts). */
  type?: string;
  /** OPTIONAL. Device name, or file or directory for bind mounts (absolute or relative to the bundle), or a dummy. */
  source?: string;
  /** OPTIONAL. Mount options (Linux: as in mount(8)); Windows runtimes MUST support `ro`. */
  options?: string[];
  /** OPTIONAL (Linux). UID mapping of an idmapped mount; given together with `gidMappings`. */
  uidMappings?: IDMapping[];
  /** OPTIONAL (Linux). GID mapping of an idmapped mount; given together with `uidMappings`. */
  gidMappings?: IDMapping[];
}

/**
 * Size of the console, in characters (runtime-spec `config.md`, "Process").
 * Runtimes MUST ignore it when `terminal` is false or unset.
 */
export interface ConsoleSize {
  /** REQUIRED. Height in characters. */
  height: Uint32;
  /** REQUIRED. Width in characters. */
  width: Uint32;
}

/**
 * The container process (runtime-spec `config.md`, "Process").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#process
 */
export interface Process {
  /** OPTIONAL. Whether a terminal is attached to the process; defaults to false. */
  terminal?: boolean;
  /** OPTIONAL. Console size; ignored unless `terminal` is true. */
  consoleSize?: ConsoleSize;
  /**
   * The user the process runs as. POSIX: `uid` and `gid` are REQUIRED;
   * Windows: `username`.
   */
  user?: User;
  /**
   * Executable and arguments, with `execvp` semantics. At least one entry is
   * REQUIRED on non-Windows platforms; on Windows it MAY be omitted when
   * `commandLine` is given.
   */
  args?: string[];
  /** OPTIONAL (Windows). Full command line; preferred over `args` on Windows. */
  commandLine?: string;
  /** OPTIONAL. Environment, as IEEE Std 1003.1-2008 `environ`: entries `KEY=value`. */
  env?: string[];
  /** REQUIRED. Working directory of the executable; MUST be an absolute path. */
  cwd: string;
  /** OPTIONAL (Linux). Capability sets of the process; unknown names MUST cause an error. */
  capabilities?: LinuxCapabilities;
  /**
   * OPTIONAL (POSIX). Resource limits. Each `type` MUST map to a kernel
   * resource; duplicated types MUST cause an error.
   */
  rlimits?: POSIXRlimit[];
  /** OPTIONAL (Linux). Prevent the process from gaining privileges (`no_new_privs`). */
  noNewPrivileges?: boolean;
  /** OPTIONAL (Linux). AppArmor profile of the process. */
  apparmorProfile?: string;
  /** OPTIONAL (Linux). Value written to `/proc/[pid]/oom_score_adj`; unchanged when unset. */
  oomScoreAdj?: Int32;
  /** OPTIONAL (Linux). Scheduling policy and attributes (`sched_setattr(2)`). */
  scheduler?: LinuxScheduler;
  /** OPTIONAL (Linux). SELinux label of the process. */
  selinuxLabel?: string;
  /** OPTIONAL (Linux). I/O priority (`ioprio_set(2)`). */
  ioPriority?: LinuxIOPriority;
  /** OPTIONAL (Linux). CPU affinity of `exec`ed processes, in `cpus` list format. */
  execCPUAffinity?: CPUAffinity;
}

/**
 * CPU affinity for processes joining the container with `exec`
 * (runtime-spec `config.md`, "Linux Process").
 */
export interface CPUAffinity {
  /** OPTIONAL. Affinity of the process before it joins the container's cgroup, e.g. `"0-3,7"`. */
  initial?: string;
  /** OPTIONAL. Affinity of the process after it joined the container's cgroup. */
  final?: string;
}

/**
 * The user a process runs as (runtime-spec `config.md`, "User").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#user
 */
export interface User {
  /** REQUIRED (POSIX). User ID in the container namespace. */
  uid?: Uint32;
  /** REQUIRED (POSIX). Group ID in the container namespace. */
  gid?: Uint32;
  /** OPTIONAL (POSIX). File mode creation mask; when unset the runtime MAY pick one (commonly 0022). */
  umask?: Uint32;
  /** OPTIONAL (POSIX). Additional group IDs in the container namespace. */
  additionalGids?: Uint32[];
  /** OPTIONAL (Windows). User name of the process. */
  username?: string;
}

/**
 * One POSIX resource limit (runtime-spec `config.md`, "POSIX process").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#posix-process
 */
export interface POSIXRlimit {
  /**
   * REQUIRED. Resource limited: Linux `getrlimit(2)` names such as
   * `RLIMIT_NOFILE`, Solaris `getrlimit(3)` names.
   * @pattern ^RLIMIT_[A-Z]+$
   */
  type: string;
  /** REQUIRED. Soft limit; `rlim_cur` MUST match it. */
  soft: Uint64;
  /** REQUIRED. Hard limit, the ceiling for the soft limit; `rlim_max` MUST match it. */
  hard: Uint64;
}

/**
 * One hook (runtime-spec `config.md`, "POSIX-platform Hooks").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#posix-platform-hooks
 */
export interface Hook {
  /** REQUIRED. Executable, with `execv` semantics; MUST be absolute. */
  path: string;
  /** OPTIONAL. Arguments, with `execv` semantics (`args[0]` is the program name). */
  args?: string[];
  /** OPTIONAL. Environment, entries `KEY=value`. */
  env?: string[];
  /**
   * OPTIONAL. Seconds before the hook is aborted; if set MUST be greater
   * than zero (checked in code: `PosixHooksTimeoutPositive`).
   * @TJS-type integer
   */
  timeout?: number;
}

/**
 * Lifecycle hooks (runtime-spec `config.md`, "POSIX-platform Hooks").
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#posix-platform-hooks
 */
export interface Hooks {
  /** DEPRECATED in favour of `createRuntime`, `createContainer` and `startContainer`. Run during `create`, in the runtime namespace. */
  prestart?: Hook[];
  /** Run during `create`, after the environment is created and before `pivot_root`, in the runtime namespace. */
  createRuntime?: Hook[];
  /** Run during `create`, after `createRuntime`, in the container namespace, before `pivot_root`. */
  createContainer?: Hook[];
  /** Run during `start`, in the container namespace, before the user-specified program. */
  startContainer?: Hook[];
  /** Run after the user-specified process is started, before `start` returns. */
  poststart?: Hook[];
  /** Run after the container is deleted, before `delete` returns. */
  poststop?: Hook[];
}
