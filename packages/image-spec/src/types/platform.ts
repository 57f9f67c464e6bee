/**
 * Platform of an image (image-spec `image-index.md`, `platform`): the minimum
 * runtime requirements of the referenced image.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md#image-index-property-descriptions
 */
export interface Platform {
  /**
   * REQUIRED. CPU architecture; image indexes SHOULD use values listed for Go's
   * `GOARCH` (e.g. `amd64`, `arm64`, `ppc64le`).
   */
  architecture: string;
  /**
   * REQUIRED. Operating system; image indexes SHOULD use values listed for Go's
   * `GOOS` (e.g. `linux`, `windows`).
   */
  os: string;
  /**
   * OPTIONAL. Version of the operating system targeted by the referenced blob;
   * values are implementation-defined (e.g. `10.0.14393.1066` on `windows`).
   */
  'os.version'?: string;
  /**
   * OPTIONAL. Mandatory OS features. When `os` is `windows`, image indexes SHOULD
   * use `win32k`; otherwise values are implementation-defined.
   */
  'os.features'?: string[];
  /**
   * OPTIONAL. Variant of the CPU; image indexes SHOULD use values from the
   * "Platform Variants" table (`arm` `v6`/`v7`/`v8`, `arm64` `v8`, `v8.1`, ...).
   */
  variant?: string;
  /** RESERVED for future versions of the specification. */
  features?: string[];
}
