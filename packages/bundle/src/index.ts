// @ocikit/bundle: image layout store, unpack into a runtime bundle (part 1);
// bundle digest and pack follow in part 2. See README.md.
export { BundleError, BundleErrorCode, BundleSpecRef, isBundleError, type BundleErrorOptions } from './errors.js';
export { ConfinedRoot, MAX_SYMLINKS } from './fs/confine.js';
export { TarReader, TarEntryType, type TarEntry, type TarHandler, type TarReaderOptions } from './tar/reader.js';
export { RootfsWriter, normalizeEntryName, WHITEOUT_PREFIX, OPAQUE_WHITEOUT, type ApplyOptions } from './layer/apply.js';
export { extractLayer, layerCompression, Compression, type ExtractOptions, type ExtractResult } from './layer/extract.js';
export { Layout, LAYOUT_VERSION, MAX_MANIFEST_BYTES, MAX_CONFIG_BYTES, type ResolveOptions, type ResolvedImage } from './layout/layout.js';
export { openLayout, parseImageArg, type OpenedLayout } from './layout/archive.js';
export { validateLayout, type ValidateLayoutOptions } from './layout/validate-layout.js';
export type { ConfigDoc, ManifestDoc, IndexDoc } from './layout/documents.js';
export { convertConfig, ConvertedAnnotation, type ConvertOptions, type ConvertResult } from './unpack/config.js';
export { resolveUser, parsePasswd, parseGroup, type ProcessUser, type ResolvedUser } from './unpack/user.js';
export { recordTree, formatTree, type TreeEntry } from './unpack/tree.js';
export {
  unpack,
  PROVENANCE_FILE,
  TREE_FILE,
  type UnpackOptions,
  type UnpackProgress,
  type UnpackResult,
  type Provenance,
} from './unpack/unpack.js';
