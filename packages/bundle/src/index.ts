// @ocikit/bundle: image layout store, unpack, bundle digest and pack.
// The public API lands with the bundle issues; see README.md.
export {};
