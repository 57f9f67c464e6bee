/**
 * Platform of an image (image-spec `image-index.md`, "platform").
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md#image-index-property-descriptions
 */
export interface Platform {
  /** CPU architecture, a value listed for Go's `GOARCH` (e.g. `amd64`, `arm64`). */
  architecture: string;
  /** Operating system, a value listed for Go's `GOOS` (e.g. `linux`, `windows`). */
  os: string;
  /** Version of the operating system (e.g. `10.0.14393.1066` on Windows). */
  'os.version'?: string;
  /** Mandatory OS features (e.g. `win32k` on Windows). */
  'os.features'?: string[];
  /** Variant of the CPU (e.g. `v7` for ARMv7 when architecture is `arm`). */
  variant?: string;
  /** Reserved by the spec for future use. */
  features?: string[];
}
