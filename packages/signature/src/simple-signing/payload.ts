/**
 * The payload of a containers/image "simple signing" signature
 * (containers-signature.5.md, "JSON Data Format"):
 *
 *   {"critical":{"identity":{"docker-reference":…},
 *                "image":{"docker-manifest-digest":…},
 *                "type":"atomic container signature"},
 *    "optional":{"creator":…,"timestamp":…}}
 *
 * Building is deterministic (keys sorted, as Go's encoder writes maps).
 * Parsing is strict the way the format asks: `critical` and its objects hold
 * exactly the known keys (an unknown one refuses the signature), `optional`
 * may carry anything but its known keys are type-checked, duplicate names and
 * invalid UTF-8 are refused (a verifier and a signer must read one document).
 */
import { isSupported, parseDigest, type Digest } from '@ocikit/digest';
import { InvalidReferenceError, parseNormalizedReference, parseReference } from '@ocikit/image-spec';
import { readJsonText } from '@ocikit/validation';
import { SIMPLE_SIGNING_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';

/** `critical.type` of a containers/image simple signature. */
export const SIMPLE_SIGNING_TYPE = 'atomic container signature';

/** Payloads above this size are refused before parsing; real ones are a few hundred bytes. */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

const REF_FORMAT = `${SIMPLE_SIGNING_SPEC}#json-data-format`;

/** A payload that parsed and passed the format's checks (not yet the identity or digest checks). */
export interface SimpleSigningPayload {
  /** `critical.identity.docker-reference`: the reference the image was signed for, as written. */
  dockerReference: string;
  /** `critical.image.docker-manifest-digest`. */
  manifestDigest: Digest;
  /** `critical.type`. */
  type: string;
  /** `optional.creator`, when present. */
  creator?: string;
  /** `optional.timestamp` (seconds since the epoch), when present. */
  timestamp?: number;
  /** The whole `optional` object, including keys this library does not know. */
  optional: Record<string, unknown>;
}

export interface BuildPayloadOptions {
  /** The reference the image is signed for; must carry a tag or a digest (a bare name says nothing about which image). */
  dockerReference: string;
  /** The digest of the manifest as served. */
  manifestDigest: string;
  /** `optional.creator`, e.g. `ocikit 1.0`. Omitted when not given. */
  creator?: string;
  /** `optional.timestamp`, integer seconds. Omitted when not given. */
  timestamp?: number;
  /** Further `optional` entries (annotations); `creator`/`timestamp` above win. */
  optional?: Record<string, unknown>;
  /** `critical.type`; default {@link SIMPLE_SIGNING_TYPE}. cosign's payloads use its own type, same layout. */
  type?: string;
}

/** How {@link parseSimpleSigningPayload} reads a payload. */
export interface ParsePayloadOptions {
  /** The `critical.type` required; any other is refused. */
  type: string;
  /**
   * Accept `"optional": null` as an empty `optional`. cosign writes null when
   * a signature has no annotations (its Go map is nil); containers/image
   * simple signing always writes an object.
   */
  nullOptional?: boolean;
}

/**
 * Parse a reference as containers/image does for identities (docker.io and
 * `library/` implied, no default tag) and return its canonical string.
 */
export function normalizeIdentity(ref: string, what: string): { name: string; tag?: string; digest?: string; full: string } {
  let parsed;
  let asWritten;
  try {
    parsed = parseNormalizedReference(ref);
    // parseNormalizedReference adds `latest` to a bare name; containers/image does not, so read the tag as written.
    asWritten = parseReference(ref);
  } catch (err) {
    const reason = err instanceof InvalidReferenceError ? err.message : String(err);
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `${what} ${JSON.stringify(ref)} is not an image reference: ${reason}`, { cause: err });
  }
  const name = `${parsed.domain ?? 'docker.io'}/${parsed.path}`;
  const tag = asWritten.tag === undefined && asWritten.digest === undefined ? undefined : parsed.tag;
  const full = `${name}${tag !== undefined ? `:${tag}` : ''}${parsed.digest !== undefined ? `@${parsed.digest}` : ''}`;
  return { name, ...(tag !== undefined && { tag }), ...(parsed.digest !== undefined && { digest: parsed.digest }), full };
}

/** The payload bytes for a signature, as containers/image writes them (UTF-8 JSON, keys sorted). */
export function buildSimpleSigningPayload(options: BuildPayloadOptions): Uint8Array {
  const id = normalizeIdentity(options.dockerReference, 'docker reference');
  if (id.tag === undefined && id.digest === undefined) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `docker reference ${JSON.stringify(options.dockerReference)} has neither a tag nor a digest, so it cannot be signed`);
  }
  checkDigest(options.manifestDigest, 'manifest digest', SignatureErrorCode.InvalidArgument);
  if (options.timestamp !== undefined && !Number.isSafeInteger(options.timestamp)) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `timestamp must be an integer number of seconds, found ${options.timestamp}`);
  }
  const optional: Record<string, unknown> = { ...(options.optional ?? {}) };
  if (options.creator !== undefined) optional['creator'] = options.creator;
  if (options.timestamp !== undefined) optional['timestamp'] = options.timestamp;
  const doc = {
    critical: {
      identity: { 'docker-reference': id.full },
      image: { 'docker-manifest-digest': options.manifestDigest },
      type: options.type ?? SIMPLE_SIGNING_TYPE,
    },
    optional: sortKeys(optional),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/**
 * Parse and check payload bytes. `expected` is the `critical.type` required
 * (default the simple signing type), or options naming it; a different
 * `critical.type` is refused.
 * @throws SignatureError PayloadInvalid, UnknownCriticalKey, WrongType
 */
export function parseSimpleSigningPayload(bytes: Uint8Array | string, expected: string | ParsePayloadOptions = SIMPLE_SIGNING_TYPE): SimpleSigningPayload {
  const { type: expectedType, nullOptional = false } = typeof expected === 'string' ? { type: expected } : expected;
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (size > MAX_PAYLOAD_BYTES) invalid(`payload is ${size} bytes, over the limit of ${MAX_PAYLOAD_BYTES}`);
  const read = readJsonText(bytes);
  const first = read.errors[0];
  if (!read.parsed || first !== undefined) invalid(`payload is not valid JSON: ${first?.message ?? 'unreadable'}`);
  const root = object(read.value, 'payload');
  exactKeys(root, ['critical', 'optional'], '', SignatureErrorCode.PayloadInvalid);
  const critical = object(root['critical'], '/critical');
  exactKeys(critical, ['identity', 'image', 'type'], '/critical', SignatureErrorCode.UnknownCriticalKey);
  const type = string(critical['type'], '/critical/type');
  if (type !== expectedType) {
    throw new SignatureError(SignatureErrorCode.WrongType, `payload /critical/type is ${JSON.stringify(type)}, expected ${JSON.stringify(expectedType)}`, { ref: REF_FORMAT });
  }
  const image = object(critical['image'], '/critical/image');
  exactKeys(image, ['docker-manifest-digest'], '/critical/image', SignatureErrorCode.UnknownCriticalKey);
  const manifestDigest = string(image['docker-manifest-digest'], '/critical/image/docker-manifest-digest');
  checkDigest(manifestDigest, 'payload /critical/image/docker-manifest-digest', SignatureErrorCode.PayloadInvalid);
  const identity = object(critical['identity'], '/critical/identity');
  exactKeys(identity, ['docker-reference'], '/critical/identity', SignatureErrorCode.UnknownCriticalKey);
  const dockerReference = string(identity['docker-reference'], '/critical/identity/docker-reference');
  try {
    normalizeIdentity(dockerReference, 'payload /critical/identity/docker-reference');
  } catch (err) {
    invalid((err as Error).message);
  }
  // "optional": unknown keys are allowed (the format says consumers may ignore them); known ones must have their type.
  const optional = nullOptional && root['optional'] === null ? {} : object(root['optional'], '/optional');
  const out: SimpleSigningPayload = { dockerReference, manifestDigest: manifestDigest as Digest, type, optional };
  if ('creator' in optional) out.creator = string(optional['creator'], '/optional/creator');
  if ('timestamp' in optional) {
    const t = optional['timestamp'];
    if (typeof t !== 'number' || !Number.isSafeInteger(t)) invalid(`payload /optional/timestamp must be an integer, found ${JSON.stringify(t)}`);
    out.timestamp = t;
  }
  return out;
}

function invalid(message: string): never {
  throw new SignatureError(SignatureErrorCode.PayloadInvalid, message, { ref: REF_FORMAT });
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(`payload ${where || '/'} must be an object, found ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  return v as Record<string, unknown>;
}

function string(v: unknown, where: string): string {
  if (typeof v !== 'string') invalid(`payload ${where} must be a string, found ${v === null ? 'null' : typeof v}`);
  return v;
}

/** Exactly `keys`: a missing one is an invalid payload, an extra one is refused with `extraCode`. */
function exactKeys(obj: Record<string, unknown>, keys: readonly string[], where: string, extraCode: SignatureErrorCode): void {
  for (const k of keys) if (!Object.hasOwn(obj, k)) invalid(`payload ${where || '/'} lacks the required key ${JSON.stringify(k)}`);
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) {
      throw new SignatureError(extraCode, `payload ${where || '/'} has the unknown key ${JSON.stringify(k)}; a signature with unknown critical content must be refused`, { ref: REF_FORMAT });
    }
  }
}

function checkDigest(d: string, what: string, code: SignatureErrorCode): void {
  try {
    parseDigest(d);
  } catch (err) {
    throw new SignatureError(code, `${what} ${JSON.stringify(d)} is not a digest: ${(err as Error).message}`, { cause: err });
  }
  if (!isSupported(d)) throw new SignatureError(code, `${what} ${JSON.stringify(d)} uses an algorithm this library cannot compute`);
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
