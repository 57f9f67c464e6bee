/**
 * Turning what went wrong on the wire into a RegistryError: socket and TLS
 * failures, and a registry's error body (distribution-spec "Error Codes":
 * `{"errors":[{"code","message","detail"}]}`). Messages name the URL without
 * userinfo and never a credential or token.
 */
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { redactUrl } from './url.js';

/** Node/OpenSSL codes of a failed or refused TLS handshake. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

export const TLS_HINT = 'trust its CA with a CA file, or use --tls-verify=false (tlsVerify: false) for a registry without a trusted certificate';

/** A TLS-level failure: the handshake did not complete (unknown CA, wrong name, not TLS at all). */
export function isTlsFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_');
}

/** A failure worth another attempt: the connection broke or timed out, nothing the server decided. */
export function isTransientNetworkFailure(err: unknown): boolean {
  if (err instanceof RegistryError) return err.code === RegistryErrorCode.Network || err.code === RegistryErrorCode.Timeout;
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET'].includes(code)
  );
}

/** A socket-level error, typed: TLS (not retried), timeout or network (retried by the policy). */
export function networkError(err: unknown, method: string, url: URL): RegistryError {
  if (err instanceof RegistryError) return err;
  const e = err as { code?: string; message?: string };
  const where = `${method} ${redactUrl(url)}`;
  if (isTlsFailure(err)) {
    return new RegistryError(RegistryErrorCode.Tls, `${where}: TLS handshake with ${url.host} failed (${e.code ?? 'TLS'}: ${oneLine(e.message)}); ${TLS_HINT}`, {
      url: redactUrl(url),
      cause: err,
    });
  }
  return new RegistryError(RegistryErrorCode.Network, `${where}: ${e.code ?? 'network error'}: ${oneLine(e.message)}`, { url: redactUrl(url), cause: err });
}

export function timeoutError(method: string, url: URL, ms: number, phase: string): RegistryError {
  return new RegistryError(RegistryErrorCode.Timeout, `${method} ${redactUrl(url)}: no ${phase} within ${ms} ms`, { url: redactUrl(url) });
}

/** One line, bounded: registry-provided text goes into our messages, so keep it tame. */
export function oneLine(text: string | undefined, max = 200): string {
  const s = (text ?? '').replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** One entry of a registry's error body. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** The registry's own error entries, when the body is the spec's JSON; [] otherwise. */
export function parseErrorBody(body: Buffer | undefined): RegistryErrorEntry[] {
  if (!body || body.length === 0) return [];
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors.filter((e): e is RegistryErrorEntry => typeof (e as { code?: unknown })?.code === 'string');
  } catch {
    return [];
  }
}

/** The spec's codes (and registries' extras) onto ours. */
const BY_REGISTRY_CODE: Readonly<Record<string, RegistryErrorCode>> = {
  BLOB_UNKNOWN: RegistryErrorCode.BlobUnknown,
  BLOB_UPLOAD_INVALID: RegistryErrorCode.BlobUploadInvalid,
  BLOB_UPLOAD_UNKNOWN: RegistryErrorCode.BlobUploadUnknown,
  DIGEST_INVALID: RegistryErrorCode.DigestInvalid,
  MANIFEST_BLOB_UNKNOWN: RegistryErrorCode.ManifestBlobUnknown,
  MANIFEST_INVALID: RegistryErrorCode.ManifestInvalid,
  MANIFEST_UNVERIFIED: RegistryErrorCode.ManifestInvalid,
  TAG_INVALID: RegistryErrorCode.ManifestInvalid,
  MANIFEST_UNKNOWN: RegistryErrorCode.ManifestUnknown,
  NAME_INVALID: RegistryErrorCode.NameInvalid,
  NAME_UNKNOWN: RegistryErrorCode.NameUnknown,
  SIZE_INVALID: RegistryErrorCode.SizeInvalid,
  UNAUTHORIZED: RegistryErrorCode.Unauthorized,
  DENIED: RegistryErrorCode.Denied,
  UNSUPPORTED: RegistryErrorCode.Unsupported,
  TOOMANYREQUESTS: RegistryErrorCode.TooManyRequests,
};

/** The code for a status when the body says nothing we know. */
export function codeForStatus(status: number, notFound: RegistryErrorCode = RegistryErrorCode.NameUnknown): RegistryErrorCode {
  if (status === 401) return RegistryErrorCode.Unauthorized;
  if (status === 403) return RegistryErrorCode.Denied;
  if (status === 404) return notFound;
  if (status === 405) return RegistryErrorCode.Unsupported;
  if (status === 413) return RegistryErrorCode.TooLarge;
  if (status === 429) return RegistryErrorCode.TooManyRequests;
  if (status >= 500) return RegistryErrorCode.Server;
  return RegistryErrorCode.Protocol;
}

/** A RegistryError for an unexpected response: the body's first known code wins, else the status decides. */
export function responseError(method: string, url: URL, status: number, body: Buffer | undefined, notFound?: RegistryErrorCode): RegistryError {
  const entries = parseErrorBody(body);
  const known = entries.find((e) => BY_REGISTRY_CODE[e.code] !== undefined);
  // A 404 whose body names an upstream code we map keeps it (NAME_UNKNOWN vs MANIFEST_UNKNOWN matter to callers).
  const code = known ? BY_REGISTRY_CODE[known.code]! : codeForStatus(status, notFound);
  const said = entries.map((e) => `${e.code}${e.message ? `: ${oneLine(e.message, 120)}` : ''}`).join('; ');
  return new RegistryError(code, `${method} ${redactUrl(url)}: ${status}${said ? ` ${said}` : ''}`, { status, url: redactUrl(url) });
}
