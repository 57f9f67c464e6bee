// @ocikit/bundle/layout-validation: image layout validation alone, for
// callers that validate and never unpack or pack (the `ocikit validate`
// CLI): it loads no tar, unpack or pack code, and the image-spec validators
// only once the blobs are hashing.
export { validateLayout, type ValidateLayoutOptions } from './store/validate-layout.js';
