import type { DigestString } from './descriptor.js';

/**
 * The value of each key of a set serialised from Go's `map[string]struct{}`: an empty object.
 * @maxProperties 0
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the wire format is `{}`
export interface EmptyObject {}

/** Keys of a set; each value is an empty object. */
export interface StringSet {
  [key: string]: EmptyObject;
}

/** String-valued labels; MUST use the annotation rules. */
export interface Labels {
  [key: string]: string;
}

/**
 * Execution parameters which SHOULD be used as a base when running a container
 * from the image (image-spec `config.md`, `config`). Any field MAY be null,
 * which is equivalent to being absent.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/config.md#properties
 */
export interface ContainerConfig {
  /** Username or UID, optionally with group or GID (`user`, `uid:gid`, `user:group`, ...). */
  User?: string | null;
  /**
   * Ports to expose: keys `port/tcp`, `port/udp` or `port` (tcp); values are empty objects.
   */
  ExposedPorts?: StringSet | null;
  /** Environment: each entry in the format `VARNAME=VARVALUE`. */
  Env?: string[] | null;
  /** Arguments to use as the command to execute when the container starts. */
  Entrypoint?: string[] | null;
  /**
   * Default arguments to the entrypoint; without `Entrypoint`, the first entry
   * SHOULD be interpreted as the executable to run.
   */
  Cmd?: string[] | null;
  /** Directories where the process is likely to write instance data; values are empty objects. */
  Volumes?: StringSet | null;
  /** Working directory of the entrypoint process. */
  WorkingDir?: string | null;
  /** Arbitrary metadata for the container; MUST use the annotation rules. */
  Labels?: Labels | null;
  /** Signal sent to the container to exit, a name in the format `SIGNAME` (e.g. `SIGKILL`, `SIGRTMIN+3`). */
  StopSignal?: string | null;
  /** Deprecated; for legacy compatibility with Docker on Windows only. */
  ArgsEscaped?: boolean | null;
  /** Reserved for compatibility (an integer). */
  Memory?: number | null;
  /** Reserved for compatibility (an integer). */
  MemorySwap?: number | null;
  /** Reserved for compatibility (an integer). */
  CpuShares?: number | null;
  /** Reserved for compatibility (Docker's health check). */
  Healthcheck?: HealthcheckConfig | null;
}

/** Docker's health check, reserved by image-spec for compatibility. */
export interface HealthcheckConfig {
  Test?: string[] | null;
  /** @TJS-type integer */
  Interval?: number;
  /** @TJS-type integer */
  Timeout?: number;
  /** @TJS-type integer */
  StartPeriod?: number;
  /** @TJS-type integer */
  StartInterval?: number;
  /** @TJS-type integer */
  Retries?: number;
}

/** The layer content addresses used by the image (image-spec `config.md`, `rootfs`). */
export interface RootFS {
  /**
   * REQUIRED. MUST be `layers`; implementations MUST generate an error for an
   * unknown value while verifying or unpacking an image.
   */
  type: string;
  /** REQUIRED. Layer DiffIDs (digests of the uncompressed layers), first to last. */
  diff_ids: DigestString[];
}

/** History of one layer or build step (image-spec `config.md`, `history`). */
export interface History {
  /** When the layer was created, an RFC 3339 section 5.6 date-time. */
  created?: string | null;
  /** Author of the build point. */
  author?: string | null;
  /** Command which created the layer. */
  created_by?: string | null;
  /** Custom message set when creating the layer. */
  comment?: string | null;
  /** True when this step created no layer in `rootfs.diff_ids` (e.g. Dockerfile `ENV`). */
  empty_layer?: boolean | null;
}

/**
 * An OCI image configuration (image-spec `config.md`), media type
 * `application/vnd.oci.image.config.v1+json`. Any OPTIONAL field MAY be null,
 * which is equivalent to being absent; extra fields MUST be ignored by
 * implementations unable to interpret them.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/config.md#properties
 */
export interface ImageConfig {
  /** When the image was created, an RFC 3339 section 5.6 date-time. */
  created?: string | null;
  /** Name and/or email of the person or entity responsible for the image. */
  author?: string | null;
  /** REQUIRED. CPU architecture of the binaries; SHOULD be a Go `GOARCH` value. */
  architecture: string;
  /** REQUIRED. Operating system; SHOULD be a Go `GOOS` value. */
  os: string;
  /** Version of the operating system targeted (e.g. `10.0.14393.1066` on `windows`). */
  'os.version'?: string | null;
  /** Mandatory OS features (`win32k` on `windows`). */
  'os.features'?: string[] | null;
  /** Variant of the CPU, from the "Platform Variants" table. */
  variant?: string | null;
  /** Execution parameters which SHOULD be used as a base when running a container. */
  config?: ContainerConfig | null;
  /** REQUIRED. Layer content addresses used by the image. */
  rootfs: RootFS;
  /** History of each layer, first to last. */
  history?: History[] | null;
}
