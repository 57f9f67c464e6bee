/**
 * The errors of @ocikit/distribution: one class, one vocabulary. Codes that a
 * registry sends in its error body (distribution-spec, "Error Codes") keep
 * the spec's names; the rest name what the client itself found. Messages
 * name the URL or the registry, never a credential.
 */
import { OcikitError, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

export const DISTRIBUTION_SPEC = 'https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md';

export const RegistryErrorCode = {
  // The registry's own codes (distribution-spec, "Error Codes", code-1 … code-14).
  BlobUnknown: 'BLOB_UNKNOWN',
  BlobUploadInvalid: 'BLOB_UPLOAD_INVALID',
  BlobUploadUnknown: 'BLOB_UPLOAD_UNKNOWN',
  DigestInvalid: 'DIGEST_INVALID',
  ManifestBlobUnknown: 'MANIFEST_BLOB_UNKNOWN',
  ManifestInvalid: 'MANIFEST_INVALID',
  ManifestUnknown: 'MANIFEST_UNKNOWN',
  NameInvalid: 'NAME_INVALID',
  NameUnknown: 'NAME_UNKNOWN',
  SizeInvalid: 'SIZE_INVALID',
  /** 401 after credentials were offered (or none were found). */
  Unauthorized: 'UNAUTHORIZED',
  /** 403: authenticated, not allowed. */
  Denied: 'DENIED',
  Unsupported: 'UNSUPPORTED',
  /** 429 once the retries are spent. */
  TooManyRequests: 'TOOMANYREQUESTS',
  // What the client finds.
  /** Connection refused or reset, DNS failure, once the retries are spent. */
  Network: 'REGISTRY_NETWORK',
  /** The TLS handshake failed (unknown CA, wrong name); `--tls-verify=false` or a CA bundle is the remedy. */
  Tls: 'REGISTRY_TLS',
  /** A request exceeded its timeout. */
  Timeout: 'REGISTRY_TIMEOUT',
  /** A 5xx (or another unexpected status) once the retries are spent. */
  Server: 'REGISTRY_SERVER_ERROR',
  /** The registry answered outside the protocol (no Location on an upload, a malformed challenge, bad JSON). */
  Protocol: 'REGISTRY_PROTOCOL',
  /** Content arrived whose digest is not the one asked for. */
  DigestMismatch: 'REGISTRY_DIGEST_MISMATCH',
  /** Content arrived longer or shorter than its descriptor's size. */
  SizeMismatch: 'REGISTRY_SIZE_MISMATCH',
  /** A manifest media type the client does not know: refused, never guessed. */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** A content size over the client's limit for that kind of content (manifests, token responses). */
  TooLarge: 'REGISTRY_CONTENT_TOO_LARGE',
  /** An auth file or credential helper could not be read or run, or gave something unusable. */
  Credentials: 'CREDENTIALS_ERROR',
} as const;
export type RegistryErrorCode = CodeOf<typeof RegistryErrorCode>;

export interface RegistryErrorOptions extends OcikitErrorOptions {
  /** The HTTP status, when a response said so. */
  status?: number;
  /** The URL of the request (never with userinfo). */
  url?: string;
}

/** Everything @ocikit/distribution throws on purpose. */
export class RegistryError extends OcikitError<RegistryErrorCode> {
  override readonly name: string = 'RegistryError';
  readonly status: number | undefined;
  readonly url: string | undefined;

  constructor(code: RegistryErrorCode, message: string, options: RegistryErrorOptions = {}) {
    super(code, message, options);
    this.status = options.status;
    this.url = options.url;
  }
}

export function isRegistryError(err: unknown, code?: RegistryErrorCode): err is RegistryError {
  return err instanceof RegistryError && (code === undefined || err.code === code);
}
