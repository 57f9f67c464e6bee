import { DigestError } from '@ocikit/digest';
import { OcikitError, quote, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

/**
 * The vocabulary of bundle errors. Codes are stable: scripts and callers
 * branch on them. Every message is one line saying what was expected and
 * what was found.
 */
export const BundleErrorCode = {
  /** A path in a layer, link or whiteout would leave the root it belongs to. */
  PathEscape: 'PATH_ESCAPE',
  /** A path is unusable: NUL byte, invalid UTF-8, too long, `..`, absolute. */
  InvalidPath: 'INVALID_PATH',
  /** Too many symlinks while resolving a path inside a root (a loop). */
  SymlinkLoop: 'SYMLINK_LOOP',
  /** A tar stream breaks the format: checksum, field, truncation. */
  InvalidTar: 'INVALID_TAR',
  /** A tar entry type we do not extract (sparse files, volume headers...). */
  UnsupportedTarEntry: 'UNSUPPORTED_TAR_ENTRY',
  /** A layer's media type is not one we can unpack. */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** A blob's content does not match the media type of its descriptor. */
  MediaTypeMismatch: 'MEDIA_TYPE_MISMATCH',
  /** Compressed data is corrupt or truncated. */
  CorruptCompression: 'CORRUPT_COMPRESSION',
  /** An uncompressed layer's digest differs from the config's rootfs.diff_ids entry. */
  DiffIdMismatch: 'DIFF_ID_MISMATCH',
  /** Uncompressed content passed the --max-size limit. */
  TooLarge: 'TOO_LARGE',
  /** A hardlink names a target that does not exist or is a directory. */
  InvalidLink: 'INVALID_LINK',
  /** The directory is not an OCI image layout (no oci-layout, bad index.json). */
  InvalidLayout: 'INVALID_LAYOUT',
  /** The layout (or archive) could not be found or read. */
  LayoutNotFound: 'LAYOUT_NOT_FOUND',
  /** No manifest answers to the reference. */
  RefNotFound: 'REF_NOT_FOUND',
  /** A reference name to write breaks the `org.opencontainers.image.ref.name` grammar. */
  InvalidRefName: 'INVALID_REF_NAME',
  /** A directory to create a layout in already holds files and is not a layout. */
  DirectoryNotEmpty: 'DIRECTORY_NOT_EMPTY',
  /** The reference matches several manifests and nothing decides between them. */
  AmbiguousRef: 'AMBIGUOUS_REF',
  /** No manifest in an index is for the wanted platform. */
  NoMatchingPlatform: 'NO_MATCHING_PLATFORM',
  /** A blob named by a descriptor is absent from the layout. */
  BlobNotFound: 'BLOB_NOT_FOUND',
  /** A descriptor is unusable: bad digest, negative or absurd size. */
  InvalidDescriptor: 'INVALID_DESCRIPTOR',
  /** A manifest, index or config blob is not a valid document. */
  InvalidDocument: 'INVALID_DOCUMENT',
  /** The bundle directory exists and is not empty. */
  BundleExists: 'BUNDLE_EXISTS',
  /** `Config.User` names a user or group the rootfs does not know. */
  UnknownUser: 'UNKNOWN_USER',
  /** The generated runtime config does not validate. */
  InvalidRuntimeConfig: 'INVALID_RUNTIME_CONFIG',
  /** The runtime-spec version asked for the generated config is not a release (runtime-spec SPEC_VERSIONS). */
  UnsupportedVersion: 'UNSUPPORTED_VERSION',
  /** index.json could not be locked in time. */
  LockTimeout: 'LOCK_TIMEOUT',
  /** The lock file could not be created or locked (read-only file system, permissions). */
  LockFailed: 'LOCK_FAILED',
  /** The compressor asked for cannot load on this host (native libdeflate, zstd). */
  CompressorUnavailable: 'COMPRESSOR_UNAVAILABLE',
  /** A bundle to digest or pack is unusable: no config.json, no rootfs, unreadable entries (part 2). */
  InvalidBundle: 'INVALID_BUNDLE',
} as const;
export type BundleErrorCode = CodeOf<typeof BundleErrorCode>;

/** image-spec sections our rules come from. */
export const BundleSpecRef = {
  Changesets: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/layer.md#change-types',
  /** Layers are archived with paths relative to the root (`./etc/...`). */
  RelativeNames: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/layer.md#populate-initial-filesystem',
  Whiteouts: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/layer.md#whiteouts',
  OpaqueWhiteout: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/layer.md#opaque-whiteout',
  Hardlinks: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/layer.md#hardlinks',
  DiffIds: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/config.md#layer-diffid',
  LayerMediaTypes: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/layer.md#distributable-format',
  Layout: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md',
  Blobs: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md#blobs',
  IndexJson: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md#indexjson-file',
  RefName: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/annotations.md#pre-defined-annotation-keys',
  Conversion: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/conversion.md',
  ConfigUser: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/conversion.md#configuser',
  Descriptor: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#properties',
} as const;

export interface BundleErrorOptions extends OcikitErrorOptions {
  /** Digest of the layer being applied when the refusal arose. */
  layer?: string;
  /** The tar entry being applied, named as archived. */
  entry?: string;
}

/** Every error @ocikit/bundle throws on purpose. */
export class BundleError extends OcikitError<BundleErrorCode> {
  override readonly name = 'BundleError';
  /** Digest of the layer being applied, when the error arose in one. */
  readonly layer: string | undefined;
  /** Name (as archived) of the tar entry being applied, when there was one. */
  readonly entry: string | undefined;

  constructor(code: BundleErrorCode, message: string, options: BundleErrorOptions = {}) {
    super(code, message, options);
    this.layer = options.layer;
    this.entry = options.entry;
  }
}

/**
 * Place a refusal in the layer (and entry) it arose in: the message becomes
 * `layer <digest> entry "<name>": <message>` and `layer`/`entry` are set.
 * A BundleError keeps its code and ref; a DigestError (a blob that failed
 * verification) keeps its class and code, only its message is prefixed.
 * Anything else (a system error) is returned as it is.
 */
export function inLayer(err: unknown, layer: string, entry?: string): unknown {
  const where = `layer ${layer}${entry === undefined ? '' : ` entry ${q(entry)}`}`;
  if (err instanceof BundleError) {
    if (err.layer !== undefined) return err;
    return new BundleError(err.code, `${where}: ${err.message}`, { cause: err, ref: err.ref, layer, ...(entry !== undefined && { entry }) });
  }
  if (err instanceof DigestError) {
    const placed = err as DigestError & { layer?: string; entry?: string };
    if (placed.layer !== undefined) return err;
    placed.message = `${where}: ${err.message}`;
    placed.layer = layer;
    if (entry !== undefined) placed.entry = entry;
  }
  return err;
}

export function isBundleError(err: unknown): err is BundleError {
  return err instanceof BundleError;
}

/** Quote for a one-line message (the one `quote` of @ocikit/errors). */
export const q = quote;
