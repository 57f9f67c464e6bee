/**
 * The layout store's limits, from the one table (`Limits` of
 * @ocikit/validation) that validate, unpack and pack all read.
 */
import { Limits } from '@ocikit/validation';

/** Manifests and indexes (index.json included) larger than this are refused: `Limits.ManifestBytes`. */
export const MAX_MANIFEST_BYTES = Limits.ManifestBytes.value;
/** Image configs larger than this are refused: `Limits.ConfigBytes`. */
export const MAX_CONFIG_BYTES = Limits.ConfigBytes.value;
