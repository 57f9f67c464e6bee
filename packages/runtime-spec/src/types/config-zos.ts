/**
 * The z/OS section of `config.json` (runtime-spec `config-zos.md`).
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-zos.md
 */

/**
 * z/OS-specific configuration.
 * @see https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config-zos.md
 */
export interface ZOS {
  /** OPTIONAL. Namespaces to create or join; types MUST be unique. */
  namespaces?: ZOSNamespace[];
}

/** A z/OS namespace type. */
export type ZOSNamespaceType = 'pid' | 'mount' | 'ipc' | 'uts';

/** One z/OS namespace to create or join. */
export interface ZOSNamespace {
  /** REQUIRED. Namespace type. */
  type: ZOSNamespaceType;
  /** OPTIONAL. Namespace file to join; MUST be an absolute path. */
  path?: string;
}
