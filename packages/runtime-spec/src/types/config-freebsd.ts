/**
 * The FreeBSD section of `config.json` (runtime-spec `config-freebsd.md`).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-freebsd.md
 */
import type { Uint8, Uint32 } from './defs.js';

/**
 * FreeBSD-specific configuration: containers are jails.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-freebsd.md
 */
export interface FreeBSD {
  /** OPTIONAL. Devices exposed in addition to the devfs ruleset. */
  devices?: FreeBSDDevice[];
  /** OPTIONAL. Jail parameters. */
  jail?: FreeBSDJail;
}

/** A device exposed to the jail. */
export interface FreeBSDDevice {
  /** REQUIRED. Device path relative to `/dev`. */
  path: string;
  /**
   * OPTIONAL. File mode of the device: a uint32 (`config-freebsd.md`); the
   * octal string form (`"0700"`) of the schema's draft revisions is accepted too.
   */
  mode?: Uint32 | FreeBSDOctalMode;
}

/**
 * A file mode as an octal string, e.g. `"0700"`.
 * @pattern ^0?[0-7]{1,4}$
 */
export type FreeBSDOctalMode = string;

/** How a jail shares a resource: a new one, the parent's, or none. */
export type FreeBSDSharing = 'new' | 'inherit' | 'disable';

/** How a jail shares a resource that cannot be disabled. */
export type FreeBSDSharingNoDisable = 'new' | 'inherit';

/**
 * Jail parameters (see jail(8)).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-freebsd.md#jail
 */
export interface FreeBSDJail {
  /** OPTIONAL. Name of the parent jail. */
  parent?: string;
  /** OPTIONAL. `new` to allow overriding hostname and friends, `inherit` to use the parent's. */
  host?: FreeBSDSharingNoDisable;
  /** OPTIONAL. IPv4 availability. */
  ip4?: FreeBSDSharing;
  /** OPTIONAL. IPv6 availability. */
  ip6?: FreeBSDSharing;
  /** OPTIONAL. `new` for a new vnet, `inherit` to share the parent's. */
  vnet?: FreeBSDSharingNoDisable;
  /** OPTIONAL. SYSV message queues; defaults to `new`. */
  sysvmsg?: FreeBSDSharing;
  /** OPTIONAL. SYSV semaphores; defaults to `new`. */
  sysvsem?: FreeBSDSharing;
  /** OPTIONAL. SYSV shared memory; defaults to `new`. */
  sysvshm?: FreeBSDSharing;
  /** OPTIONAL. Mount visibility: 0 all, 1 below the root, 2 only the root (default). */
  enforceStatfs?: Uint8;
  /** OPTIONAL. Per-jail permissions. */
  allow?: FreeBSDJailAllow;
}

/** Per-jail permissions; off by default. */
export interface FreeBSDJailAllow {
  /** OPTIONAL. Allow changing the hostname. */
  setHostname?: boolean;
  /** OPTIONAL. Allow raw sockets. */
  rawSockets?: boolean;
  /** OPTIONAL. Allow changing system file flags. */
  chflags?: boolean;
  /** OPTIONAL. Filesystem types the jail may mount. */
  mount?: string[];
  /** OPTIONAL. Allow changing filesystem quotas. */
  quotas?: boolean;
  /** OPTIONAL. Allow socket families other than IPv4, IPv6 and unix. */
  socketAf?: boolean;
  /** OPTIONAL. Allow binding ports below 1024. */
  reservedPorts?: boolean;
  /** OPTIONAL. Value of `security.bsd.suser_enabled`. */
  suser?: boolean;
}
