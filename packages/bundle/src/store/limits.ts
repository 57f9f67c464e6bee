/** Manifests and indexes larger than this are refused (the registry API's limit). */
export const MAX_MANIFEST_BYTES = 4 << 20;
/** Image configs larger than this are refused. */
export const MAX_CONFIG_BYTES = 64 << 20;
