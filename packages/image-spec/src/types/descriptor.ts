import type { Platform } from './platform.js';

/**
 * A digest string `algorithm ":" encoded` (image-spec `descriptor.md`, "Digests").
 * The schema checks the outline; `@ocikit/digest` checks the full grammar.
 */
export type DigestString = string;

/** String-valued annotations (image-spec `annotations.md`): keys and values are strings. */
export interface Annotations {
  [key: string]: string;
}

/**
 * A content descriptor (image-spec `descriptor.md`): what the content is, how
 * to address it and how big it is.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md
 */
export interface Descriptor {
  /**
   * Media type of the referenced content; MUST comply with RFC 6838.
   * @pattern ^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$
   */
  mediaType: string;
  /**
   * Digest of the targeted content.
   * @pattern ^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$
   */
  digest: DigestString;
  /**
   * Size of the raw content in bytes; an int64 that MUST NOT be negative.
   * @TJS-type integer
   * @minimum 0
   */
  size: number;
  /** URIs from which this object MAY be downloaded; each MUST conform to RFC 3986. */
  urls?: string[];
  /** Arbitrary metadata for this descriptor. */
  annotations?: Annotations;
  /**
   * The content itself, embedded and base64-encoded (RFC 4648); MUST match `digest` and `size`.
   * @pattern ^[A-Za-z0-9+/]*={0,2}$
   */
  data?: string;
  /** IANA media type of the artifact, when this descriptor points to an artifact manifest. */
  artifactType?: string;
  /** Platform of the referenced image; used by image indexes. */
  platform?: Platform;
}
