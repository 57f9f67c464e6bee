// @ocikit/transport: the oci:, oci-archive: and docker:// transports and the copy between them. See README.md.
export {};
