/**
 * @ocikit/runtime-spec: the OCI runtime-spec (v1.3.0) config, state and
 * features as TypeScript types, validated with spec-coded findings; default
 * configurations and a builder; the container lifecycle as data.
 */
export {
  RUNTIME_SPEC_VERSION,
  Status,
  NamespaceType,
  HookName,
  TargetOS,
  LINUX_CAPABILITIES,
  LINUX_RLIMITS,
  SOLARIS_RLIMITS,
  FREEBSD_RLIMITS,
  OCI_DEFINED_ANNOTATIONS,
  type LinuxCapability,
} from './constants.js';

export type { Annotations, StringMap, IDMapping, Uint8, Uint16, Uint32, Uint64, Int32, Int64, OciVersion } from './types/defs.js';
export type { Spec, Root, Mount, Process, ConsoleSize, CPUAffinity, User, POSIXRlimit, Hook, Hooks } from './types/config.js';
export type {
  Linux,
  LinuxNamespace,
  LinuxNamespaceType,
  LinuxTimeOffset,
  LinuxTimeOffsets,
  LinuxDevice,
  LinuxDeviceType,
  LinuxNetDevice,
  LinuxNetDevices,
  LinuxResources,
  LinuxDeviceCgroup,
  LinuxMemory,
  LinuxCPU,
  LinuxBlockIO,
  LinuxBlockIODevice,
  LinuxWeightDevice,
  LinuxThrottleDevice,
  LinuxHugepageLimit,
  LinuxNetwork,
  LinuxInterfacePriority,
  LinuxPids,
  LinuxRdma,
  LinuxRdmaMap,
  LinuxIntelRdt,
  LinuxMemoryPolicy,
  LinuxMemoryPolicyMode,
  LinuxMemoryPolicyFlag,
  LinuxSeccomp,
  LinuxSeccompAction,
  LinuxSeccompArch,
  LinuxSeccompFlag,
  LinuxSeccompOperator,
  LinuxSeccompArg,
  LinuxSyscall,
  LinuxRootfsPropagation,
  LinuxPersonality,
  LinuxPersonalityDomain,
  LinuxCapabilities,
  LinuxScheduler,
  LinuxSchedulerPolicy,
  LinuxSchedulerFlag,
  LinuxIOPriority,
  LinuxIOPriorityClass,
} from './types/config-linux.js';
export type {
  Windows,
  WindowsDevice,
  WindowsResources,
  WindowsMemoryResources,
  WindowsCPUResources,
  WindowsCPUGroupAffinity,
  WindowsStorageResources,
  WindowsHyperV,
  WindowsNetwork,
} from './types/config-windows.js';
export type { Solaris, SolarisAnet, SolarisCappedCPU, SolarisCappedMemory } from './types/config-solaris.js';
export type { VM, VMHypervisor, VMKernel, VMImage, VMImageFormat } from './types/config-vm.js';
export type { ZOS, ZOSNamespace, ZOSNamespaceType } from './types/config-zos.js';
export type { FreeBSD, FreeBSDDevice, FreeBSDOctalMode, FreeBSDJail, FreeBSDJailAllow, FreeBSDSharing, FreeBSDSharingNoDisable } from './types/config-freebsd.js';
export type { State, ContainerStatus } from './types/state.js';
export type {
  Features,
  LinuxFeatures,
  LinuxEnabledFeature,
  LinuxCgroupFeatures,
  LinuxSeccompFeatures,
  LinuxIntelRdtFeatures,
  LinuxMountExtensionsFeatures,
  LinuxMemoryPolicyFeatures,
} from './types/features.js';

export { SCHEMA_KINDS, schemaValidators, schemaIds, type SchemaKind } from './generated/kinds.js';
export { DOCUMENT_KINDS, isDocumentKind, type DocumentKind } from './kinds.js';
// The same types as @ocikit/validation's (not copies): findings from every ocikit package mix freely.
export type { Finding, Level, ValidationResult } from '@ocikit/validation';

export {
  validate,
  parse,
  is,
  validateConfig,
  validateState,
  validateFeatures,
  parseConfig,
  parseState,
  parseFeatures,
  isConfig,
  isState,
  isFeatures,
  type DocumentTypes,
  type RuntimeSpecKind,
  type RuntimeSpecDocuments,
  type ValidateOptions,
} from './validate/index.js';
export { configPlatform } from './validate/config.js';
export { parseSemVer, compareSemVer, type SemVer } from './validate/semver.js';
export { validateBundle, type ValidateBundleOptions } from './bundle/validate-bundle.js';
// The confinement module's home is the `@ocikit/runtime-spec/confine` subpath (ConfinedRoot for writers too); its read-only face stays here.
export { resolveInRoot, MAX_SYMLINKS, type ConfinedPath, type ConfineProblem } from './confine.js';
export { defaultConfig, type DefaultConfigOptions } from './generate/default-config.js';
export { ConfigBuilder, type MountOptions } from './generate/builder.js';
export { downgradeConfig, parseSpecVersion, type DowngradeResult, type DroppedField } from './generate/downgrade.js';
export { SPEC_VERSIONS, CONFIG_FIELD_VERSIONS, FEATURES_FIELD_VERSIONS, isSpecVersion, type SpecVersion, type VersionedField } from './versions.js';
export { LIFECYCLE, PROCESS_EXIT, ABSENT, Operation, isAllowed, transition, type LifecycleRule, type LifecycleStatus } from './lifecycle.js';
export { RuntimeSpecError, RuntimeSpecErrorCode } from './errors.js';
