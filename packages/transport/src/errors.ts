import { OcikitError, quote, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

/**
 * The vocabulary of transport errors. Codes are stable: scripts and callers
 * branch on them. Blob verification failures keep their own classes and codes
 * (@ocikit/digest's DIGEST_MISMATCH, SIZE_MISMATCH); layout problems keep
 * @ocikit/bundle's.
 */
export const TransportErrorCode = {
  /** The text names no transport (`oci:`, `oci-archive:`, `docker://`). */
  MissingTransport: 'MISSING_TRANSPORT',
  /** The text names a transport this package does not know (`dir:`, `docker-archive:`). */
  UnknownTransport: 'UNKNOWN_TRANSPORT',
  /** A transport this build cannot open (kept for callers that branch on it; every known transport opens now). */
  UnsupportedTransport: 'UNSUPPORTED_TRANSPORT',
  /** The reference after the transport breaks its grammar. */
  InvalidReference: 'INVALID_REFERENCE',
  /** A destination names a digest, or something else it cannot be written as. */
  InvalidDestination: 'INVALID_DESTINATION',
  /** A manifest's media type is not one the copy knows how to walk. */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** A manifest's bytes are not the document its descriptor says (not JSON, wrong mediaType, invalid). */
  InvalidManifest: 'INVALID_MANIFEST',
  /** A platform asked for is not `os/arch[/variant]`. */
  InvalidPlatform: 'INVALID_PLATFORM',
  /** No manifest of the index is for the platform asked for. */
  NoMatchingPlatform: 'NO_MATCHING_PLATFORM',
  /** The source reference selects several manifests and nothing decides between them. */
  AmbiguousReference: 'AMBIGUOUS_REFERENCE',
  /** The source has nothing under the reference. */
  NotFound: 'NOT_FOUND',
  /** The graph is larger than the copy's bounds (nesting depth, referrers). */
  GraphTooLarge: 'GRAPH_TOO_LARGE',
} as const;
export type TransportErrorCode = CodeOf<typeof TransportErrorCode>;

/** Spec sections the rules come from. */
export const TransportSpecRef = {
  Transports: 'https://github.com/containers/image/blob/main/docs/containers-transports.5.md',
  MediaTypes: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/media-types.md',
  IndexPlatform: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md#image-index-property-descriptions',
  Subject: 'https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md#image-manifest-property-descriptions',
} as const;

/** Every error @ocikit/transport throws on purpose. */
export class TransportError extends OcikitError<TransportErrorCode> {
  override readonly name = 'TransportError';

  constructor(code: TransportErrorCode, message: string, options: OcikitErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isTransportError(err: unknown): err is TransportError {
  return err instanceof TransportError;
}

/** Quote for a one-line message (the one `quote` of @ocikit/errors). */
export const q = quote;
