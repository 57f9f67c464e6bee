/**
 * Content of the `oci-layout` file at the root of an image layout
 * (image-spec `image-layout.md`, "oci-layout file").
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md#oci-layout-file
 */
export interface ImageLayout {
  /**
   * Version of the image layout; `1.0.0` for this spec.
   */
  imageLayoutVersion: string;
}
