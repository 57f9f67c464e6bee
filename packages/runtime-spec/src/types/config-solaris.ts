/**
 * The Solaris section of `config.json` (runtime-spec `config-solaris.md`).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-solaris.md
 */

/**
 * Solaris-specific configuration (zone settings, see zonecfg(1M)).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-solaris.md
 */
export interface Solaris {
  /** OPTIONAL. SMF FMRI the zone waits for before running the process. */
  milestone?: string;
  /** OPTIONAL. Maximum privileges of any process in the zone (`limitpriv`). */
  limitpriv?: string;
  /** OPTIONAL. Maximum shared memory (`max-shm-memory`), e.g. `512m`. */
  maxShmMemory?: string;
  /** OPTIONAL. Automatic network interfaces (anet resources). */
  anet?: SolarisAnet[];
  /** OPTIONAL. CPU cap (`capped-cpu`). */
  cappedCPU?: SolarisCappedCPU;
  /** OPTIONAL. Memory caps (`capped-memory`). */
  cappedMemory?: SolarisCappedMemory;
}

/** An automatic network interface of the zone. */
export interface SolarisAnet {
  /** OPTIONAL. Name of the link. */
  linkname?: string;
  /** OPTIONAL. Lower-level link the new link is created over. */
  lowerLink?: string;
  /** OPTIONAL. IP addresses the zone may use. */
  allowedAddress?: string;
  /** OPTIONAL. Whether the default route is configured. */
  configureAllowedAddress?: string;
  /** OPTIONAL. Default router. */
  defrouter?: string;
  /** OPTIONAL. Link protection types. */
  linkProtection?: string;
  /** OPTIONAL. MAC address of the link. */
  macAddress?: string;
}

/** CPU cap of the zone. */
export interface SolarisCappedCPU {
  /** OPTIONAL. Number of CPUs, e.g. `8`. */
  ncpus?: string;
}

/** Memory caps of the zone. */
export interface SolarisCappedMemory {
  /** OPTIONAL. Physical memory cap, e.g. `512m`. */
  physical?: string;
  /** OPTIONAL. Swap cap, e.g. `512m`. */
  swap?: string;
}
