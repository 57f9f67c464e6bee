/**
 * The features document a runtime prints with `features`
 * (runtime-spec `features.md`, `features-linux.md`).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/features.md
 */
import type { Annotations, OciVersion } from './defs.js';

/**
 * What a runtime implements, irrespective of the host it runs on.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/features.md
 */
export interface Features {
  /** REQUIRED. Minimum runtime-spec version the runtime supports; SemVer 2.0.0. */
  ociVersionMin: OciVersion;
  /** REQUIRED. Maximum runtime-spec version the runtime supports; at least `ociVersionMin`. */
  ociVersionMax: OciVersion;
  /** OPTIONAL. Recognized hook names (`prestart`, `createRuntime`, ...). */
  hooks?: string[];
  /** OPTIONAL. Recognized mount options, including ones the host may not support. */
  mountOptions?: string[];
  /** OPTIONAL. Linux-specific features. */
  linux?: LinuxFeatures;
  /** OPTIONAL. Implementation-specific information (e.g. runtime version). */
  annotations?: Annotations;
  /**
   * OPTIONAL. Config annotation keys that may change the runtime's behaviour
   * in potentially unsafe ways; an entry ending with `.` is a prefix.
   */
  potentiallyUnsafeConfigAnnotations?: string[];
}

/**
 * Linux features (runtime-spec `features-linux.md`).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/features-linux.md
 */
export interface LinuxFeatures {
  /** OPTIONAL. Recognized namespace types. */
  namespaces?: string[];
  /** OPTIONAL. Recognized capability names. */
  capabilities?: string[];
  /** OPTIONAL. Cgroup manager support. */
  cgroup?: LinuxCgroupFeatures;
  /** OPTIONAL. Seccomp support. */
  seccomp?: LinuxSeccompFeatures;
  /** OPTIONAL. AppArmor support. */
  apparmor?: LinuxEnabledFeature;
  /** OPTIONAL. SELinux support. */
  selinux?: LinuxEnabledFeature;
  /** OPTIONAL. Intel RDT support. */
  intelRdt?: LinuxIntelRdtFeatures;
  /** OPTIONAL. Mount extensions support. */
  mountExtensions?: LinuxMountExtensionsFeatures;
  /** OPTIONAL. Network device support (`linux.netDevices`). */
  netDevices?: LinuxEnabledFeature;
  /** OPTIONAL. Memory policy support (`linux.memoryPolicy`). */
  memoryPolicy?: LinuxMemoryPolicyFeatures;
}

/** A feature that is either supported or not. */
export interface LinuxEnabledFeature {
  /** OPTIONAL. Whether the runtime supports it. */
  enabled?: boolean;
}

/** Cgroup manager support. */
export interface LinuxCgroupFeatures {
  /** OPTIONAL. cgroup v1 support. */
  v1?: boolean;
  /** OPTIONAL. cgroup v2 support. */
  v2?: boolean;
  /** OPTIONAL. System-wide systemd cgroup manager support. */
  systemd?: boolean;
  /** OPTIONAL. User-scoped systemd cgroup manager support. */
  systemdUser?: boolean;
  /** OPTIONAL. RDMA controller support. */
  rdma?: boolean;
}

/** Seccomp support. */
export interface LinuxSeccompFeatures {
  /** OPTIONAL. Whether seccomp is supported. */
  enabled?: boolean;
  /** OPTIONAL. Recognized actions. */
  actions?: string[];
  /** OPTIONAL. Recognized operators. */
  operators?: string[];
  /** OPTIONAL. Recognized architectures. */
  archs?: string[];
  /** OPTIONAL. Recognized flags. */
  knownFlags?: string[];
  /** OPTIONAL. Recognized and supported flags; a subset of `knownFlags`. */
  supportedFlags?: string[];
}

/** Intel RDT support. */
export interface LinuxIntelRdtFeatures {
  /** OPTIONAL. Whether Intel RDT is supported. */
  enabled?: boolean;
  /** OPTIONAL. Whether `linux.intelRdt.schemata` is supported. */
  schemata?: boolean;
}

/** Mount extensions support. */
export interface LinuxMountExtensionsFeatures {
  /** OPTIONAL. Idmapped mounts (`uidMappings`/`gidMappings` of mounts). */
  idmap?: LinuxEnabledFeature;
}

/** Memory policy support. */
export interface LinuxMemoryPolicyFeatures {
  /** OPTIONAL. Recognized modes. */
  modes?: string[];
  /** OPTIONAL. Recognized flags. */
  flags?: string[];
}
