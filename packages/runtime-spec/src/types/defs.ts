/**
 * Scalar and shared definitions used by several runtime-spec documents
 * (the counterpart of runtime-spec's `schema/defs.json`). Each alias carries
 * its JSON Schema constraints as generator tags.
 */

/**
 * An unsigned 8-bit integer.
 * @TJS-type integer
 * @minimum 0
 * @maximum 255
 */
export type Uint8 = number;

/**
 * An unsigned 16-bit integer.
 * @TJS-type integer
 * @minimum 0
 * @maximum 65535
 */
export type Uint16 = number;

/**
 * An unsigned 32-bit integer.
 * @TJS-type integer
 * @minimum 0
 * @maximum 4294967295
 */
export type Uint32 = number;

/**
 * An unsigned 64-bit integer. JSON numbers above 2^53 lose precision in
 * JavaScript; the value is still accepted.
 * @TJS-type integer
 * @minimum 0
 */
export type Uint64 = number;

/**
 * A signed 32-bit integer.
 * @TJS-type integer
 * @minimum -2147483648
 * @maximum 2147483647
 */
export type Int32 = number;

/**
 * A signed 64-bit integer.
 * @TJS-type integer
 */
export type Int64 = number;

/**
 * Version of the Open Container Initiative Runtime Specification a document
 * complies with. MUST be SemVer 2.0.0 (checked in code, with the major version).
 */
export type OciVersion = string;

/**
 * Arbitrary string metadata (runtime-spec `config.md`, "Annotations"): keys
 * MUST be non-empty strings, SHOULD use reverse domain notation, and the
 * `org.opencontainers` namespace is reserved for keys the OCI specs define.
 */
export interface Annotations {
  [key: string]: string;
}

/** A map from string to string (sysctl, unified cgroup files). */
export interface StringMap {
  [key: string]: string;
}

/**
 * A user or group ID range mapping (runtime-spec `config-linux.md`,
 * "User namespace mappings"; also used by idmapped mounts).
 */
export interface IDMapping {
  /** REQUIRED. Starting ID in the container. */
  containerID: Uint32;
  /** REQUIRED. Starting ID on the host to map `containerID` to. */
  hostID: Uint32;
  /** REQUIRED. Number of IDs to map. */
  size: Uint32;
}
