/**
 * The Windows section of `config.json` (runtime-spec `config-windows.md`).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-windows.md
 */
import type { Uint16, Uint32, Uint64 } from './defs.js';

/**
 * Windows-specific configuration; MUST be set when the target platform is Windows.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-windows.md
 */
export interface Windows {
  /**
   * Layer folders the container image relies on, topmost first, the last
   * being the base layer. REQUIRED for Windows Server containers (at least
   * one entry); a Hyper-V container built from a utility VM MAY omit it.
   */
  layerFolders?: string[];
  /** OPTIONAL. Devices that MUST be available in the container. */
  devices?: WindowsDevice[];
  /** OPTIONAL. Resource limits. */
  resources?: WindowsResources;
  /** OPTIONAL. Credential spec (any JSON) for Group Managed Service Accounts. */
  credentialSpec?: unknown;
  /** OPTIONAL. Whether the container runs as a servicing operation. */
  servicing?: boolean;
  /** OPTIONAL. Ignore flushes during boot (for faster container start in tests). */
  ignoreFlushesDuringBoot?: boolean;
  /** OPTIONAL. When present the container is a Hyper-V container; `root` MUST NOT be set. */
  hyperv?: WindowsHyperV;
  /** OPTIONAL. Network settings. */
  network?: WindowsNetwork;
}

/** A device made available to a Windows container. */
export interface WindowsDevice {
  /** REQUIRED. Device identifier, interpreted per `idType`. */
  id: string;
  /** REQUIRED. How `id` is interpreted; Windows supports `class` (a device interface class GUID). */
  idType: string;
}

/** Windows resource limits. */
export interface WindowsResources {
  /** OPTIONAL. Memory limits. */
  memory?: WindowsMemoryResources;
  /** OPTIONAL. CPU limits. */
  cpu?: WindowsCPUResources;
  /** OPTIONAL. Storage limits. */
  storage?: WindowsStorageResources;
}

/** Windows memory limits. */
export interface WindowsMemoryResources {
  /** OPTIONAL. Commit limit in bytes. */
  limit?: Uint64;
}

/** Assignment of a container to a CPU group and mask. */
export interface WindowsCPUGroupAffinity {
  /** REQUIRED. CPU mask within the group. */
  mask: Uint64;
  /** REQUIRED. Processor group. */
  group: Uint32;
}

/** Windows CPU limits. */
export interface WindowsCPUResources {
  /** OPTIONAL. Number of CPUs available. */
  count?: Uint64;
  /** OPTIONAL. Relative CPU weight, 0 to 10000. */
  shares?: Uint16;
  /** OPTIONAL. Fraction of processor cycles, times 100 (1 to 10000). */
  maximum?: Uint16;
  /** OPTIONAL. CPU affinity per processor group. */
  affinity?: WindowsCPUGroupAffinity[];
}

/** Windows storage limits. */
export interface WindowsStorageResources {
  /** OPTIONAL. Maximum IO operations per second of the system drive. */
  iops?: Uint64;
  /** OPTIONAL. Maximum bytes per second of the system drive. */
  bps?: Uint64;
  /** OPTIONAL. Minimum size of the system drive in bytes. */
  sandboxSize?: Uint64;
}

/** Hyper-V isolation settings. */
export interface WindowsHyperV {
  /** OPTIONAL. Path to the utility VM image. */
  utilityVMPath?: string;
}

/** Windows network settings. */
export interface WindowsNetwork {
  /** OPTIONAL. HNS endpoint IDs the container joins. */
  endpointList?: string[];
  /** OPTIONAL. Allow unqualified DNS name resolution. */
  allowUnqualifiedDNSQuery?: boolean;
  /** OPTIONAL. DNS suffixes to use. */
  DNSSearchList?: string[];
  /** OPTIONAL. Container whose network stack is shared. */
  networkSharedContainerName?: string;
  /** OPTIONAL. HNS network namespace GUID. */
  networkNamespace?: string;
}
