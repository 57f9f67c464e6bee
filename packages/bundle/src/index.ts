// @ocikit/bundle: image layout store, unpack into a runtime bundle (part 1);
// bundle digest and pack follow in part 2. See README.md.
export { BundleError, BundleErrorCode, BundleSpecRef, inLayer, isBundleError, type BundleErrorOptions } from './errors.js';
export { ConfinedRoot, MAX_SYMLINKS } from './fs/confine.js';
export { scratchDir, scratchName, sweepScratch, ScratchPurpose, type Scratch } from './fs/scratch.js';
export { onInterrupt } from './fs/interrupt.js';
export { withFileLock, type FileLockOptions } from './store/lock.js';
export { TarReader, TarEntryType, type TarEntry, type TarHandler, type TarReaderOptions } from './tar/reader.js';
export { RootfsWriter, normalizeEntryName, isAbsoluteEntryName, WHITEOUT_PREFIX, OPAQUE_WHITEOUT, type ApplyOptions } from './layer/apply.js';
export { extractLayer, layerCompression, Compression, type ExtractOptions, type ExtractResult } from './layer/extract.js';
export type { PutBlobOptions } from './store/blobs.js';
export { Layout, LAYOUT_VERSION, MAX_MANIFEST_BYTES, MAX_CONFIG_BYTES, type CreateLayoutOptions, type ResolveOptions, type ResolvedImage } from './store/layout.js';
export { isOciArchive, openLayout, parseImageArg, type OpenedLayout } from './store/archive.js';
export {
  openLayoutTarget,
  setLayoutTargetRef,
  changeOciArchive,
  layoutFormatFor,
  LayoutFormat,
  type LayoutTarget,
  type SetTargetRefOptions,
} from './store/target.js';
export { parseImageReference, Transport, type ImageReference } from './store/reference.js';
export { checkRefName, type RefTarget, type RemoveRefOptions } from './store/refs.js';
export { gc, GC_GRACE_MS, type GcOptions, type GcResult, type GcBlob } from './store/gc.js';
export { listImages, type ListedImage } from './store/list.js';
export { inspectImage, readManifestBytes, readConfigBytes, type ImageInspection, type InspectedLayer, type InspectOptions } from './store/inspect.js';
export { validateLayout, type ValidateLayoutOptions } from './store/validate-layout.js';
export type { ConfigDoc, ManifestDoc, IndexDoc, ImageDocuments } from './store/documents.js';
export { convertConfig, ConvertedAnnotation, type ConvertOptions, type ConvertResult } from './unpack/config.js';
export { resolveUser, parsePasswd, parseGroup, type ProcessUser, type ResolvedUser } from './unpack/user.js';
export { recordTree, formatTree, type TreeEntry } from './tree/record.js';
export {
  unpack,
  PROVENANCE_FILE,
  TREE_FILE,
  type UnpackOptions,
  type UnpackProgress,
  type UnpackResult,
  type Provenance,
} from './unpack/unpack.js';
// Part 2: bundle digest, tar writer, pack.
export { bundleRecord, bundleDigest, canonicalJson, escapeBytes, unescapeBytes, RECORD_VERSION, type BundleRecord, type BundleRecordOptions } from './digest/record.js';
export { verifyBundle, diffRecords, type BundleVerification, type RecordDifference } from './digest/verify.js';
export { walkTree, EntryType, HOST_XATTRS, type WalkEntry, type WalkOptions } from './tree/walk.js';
export { tarHeader, padding as tarPadding, TAR_END, type TarWriteEntry } from './tar/writer.js';
export { compressChunks, PackCompression, type CompressOptions } from './pack/compress.js';
export { DEFLATER_CHOICES, DeflaterChoice, loadDeflater, type Deflater } from './pack/deflater.js';
export { reverseConfig, type ReverseResult, type RuntimeConfigView } from './pack/config.js';
export { writeOciArchive } from './pack/archive.js';
export { pack, packFormatFor, PackFormat, type PackOptions, type PackProgress, type PackResult } from './pack/pack.js';
