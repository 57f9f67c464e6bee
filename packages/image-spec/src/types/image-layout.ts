/**
 * Content of the `oci-layout` file at the root of an image layout
 * (image-spec `image-layout.md`, "oci-layout file"); media type
 * `application/vnd.oci.layout.header.v1+json`.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md#oci-layout-file
 */
export interface ImageLayout {
  /**
   * REQUIRED. Version of the image layout in use; `1.0.0` for every image-spec
   * release so far (the value changes only when the layout changes).
   */
  imageLayoutVersion: string;
}
