import type { Platform } from './platform.js';

/**
 * A digest string `algorithm ":" encoded` (image-spec `descriptor.md`, "Digests").
 * The grammar and each registered algorithm's encoded rule are checked once,
 * in code, through `@ocikit/digest` (DIGEST_INVALID_FORMAT, DIGEST_INVALID_LENGTH);
 * the schema only says it is a string, so the grammar is not run twice.
 */
export type DigestString = string;

/**
 * A media type (RFC 6838 section 4.2 restricted names: `type "/" subtype`,
 * each 1 to 127 characters of `[A-Za-z0-9!#$&^_.+-]`, starting with a letter or
 * digit), optionally followed by parameters.
 * @pattern ^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"]*"))*$
 */
export type MediaTypeString = string;

/**
 * String-valued annotations (image-spec `annotations.md`, "Rules"): keys and
 * values MUST be strings, keys MUST be unique, keys SHOULD use reverse domain
 * notation, and the `org.opencontainers` prefix is reserved for OCI keys.
 */
export interface Annotations {
  [key: string]: string;
}

/**
 * A content descriptor (image-spec `descriptor.md`): what the content is, how
 * to address it and how big it is.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md#properties
 */
export interface Descriptor {
  /**
   * REQUIRED. Media type of the referenced content; values MUST comply with
   * RFC 6838, including the naming requirements of its section 4.2.
   */
  mediaType: MediaTypeString;
  /**
   * REQUIRED. Digest of the targeted content; MUST match the digest grammar,
   * and registered algorithms' encoded rules (lower-case hex of fixed length).
   */
  digest: DigestString;
  /**
   * REQUIRED. Size of the raw content in bytes, an int64. A negative size is
   * an error (image-spec main); a size above 2^53-1 cannot be represented
   * exactly by a JSON number in JavaScript and is reported as a warning.
   * @TJS-type integer
   * @minimum 0
   */
  size: number;
  /**
   * OPTIONAL. URIs from which this object MAY be downloaded; each entry MUST
   * conform to RFC 3986 and SHOULD use the `http` or `https` scheme.
   */
  urls?: string[];
  /** OPTIONAL. Arbitrary metadata for this descriptor; MUST use the annotation rules. */
  annotations?: Annotations;
  /**
   * OPTIONAL. The referenced content itself, embedded, in base64 (RFC 4648
   * section 4). The decoded bytes MUST be identical to the referenced content,
   * so they match `size` and `digest`.
   * @pattern ^[A-Za-z0-9+/]*={0,2}$
   */
  data?: string;
  /**
   * OPTIONAL. Type of the artifact when the descriptor points to an artifact;
   * when present it MUST comply with RFC 6838.
   */
  artifactType?: MediaTypeString;
  /**
   * OPTIONAL. Minimum runtime requirements of the referenced image; used by
   * image indexes, SHOULD be present when the target is platform-specific.
   */
  platform?: Platform;
}
