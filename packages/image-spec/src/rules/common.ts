/**
 * Rules shared by every document: media types, digests, sizes, URLs,
 * annotations, platforms, dates. Each check reads `unknown` defensively (the
 * schema reports wrong types; these checks must not crash on them) and pushes
 * findings into a context.
 */
import { isRegisteredAlgorithm, isSupported, parseDigest, DigestError, digestOf } from '@ocikit/digest';
import { Findings, pointer } from '@ocikit/validation';
import { Annotation, RESERVED_ANNOTATION_PREFIX } from '../annotations.js';
import { Ref } from '../spec-refs.js';
import { isValidReference } from '../reference.js';

/** Where findings go while one document is checked: the shared collector, plus what the schema said. */
export class Context extends Findings {
  /**
   * True when the schema accepted the document: the media type pattern it
   * checks (the same as `isMediaType`, a test keeps them equal) then holds
   * and is not run twice.
   */
  shapeOk = false;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Quote untrusted input for a one-line message: JSON-escaped and capped. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (v === undefined) return 'nothing';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

/** Pointer to a member or element of the value at `path`. */
export function child(path: string, key: string | number): string {
  return pointer(path, key);
}

// RFC 6838 section 4.2: restricted-name = restricted-name-first *126restricted-name-chars.
const RESTRICTED_NAME = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
// Parameters (RFC 6838 section 4.3, RFC 2045 syntax): `; name=value`, value a token or a quoted string.
const PARAMETER = `\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"]*")`;
const MEDIA_TYPE_RE = new RegExp(`^${RESTRICTED_NAME}/${RESTRICTED_NAME}(?:${PARAMETER})*$`);

/** True when `s` is an RFC 6838 media type (`type/subtype`, optionally with parameters). */
export function isMediaType(s: unknown): s is string {
  return typeof s === 'string' && MEDIA_TYPE_RE.test(s);
}

export function checkMediaType(ctx: Context, v: unknown, base: string, key: string, code: string, ref: string): void {
  if (!ctx.shapeOk && typeof v === 'string' && !MEDIA_TYPE_RE.test(v)) {
    ctx.must(code, child(base, key), `expected an RFC 6838 media type "type/subtype", found ${show(v)}`, ref);
  }
}

/**
 * A digest: the grammar through `@ocikit/digest` (error); an algorithm image-spec
 * does not register is a warning, since such digests SHOULD pass validation.
 * Returns the algorithm when the digest is valid.
 */
export function checkDigest(ctx: Context, v: unknown, base: string, key: string | number): string | undefined {
  if (typeof v !== 'string') return undefined;
  // Pointers are built only for a finding: this runs for every digest of every document.
  let algorithm: string;
  try {
    algorithm = parseDigest(v).algorithm;
  } catch (e) {
    if (e instanceof DigestError) {
      ctx.must(e.code, child(base, key), e.message, e.ref ?? Ref.Digests);
      return undefined;
    }
    throw e;
  }
  if (!isRegisteredAlgorithm(algorithm)) {
    ctx.should('DIGEST_UNREGISTERED', child(base, key), `expected a registered algorithm (sha256, sha512, blake3), found ${show(algorithm)}; the digest passes but ${isSupported(algorithm) ? 'is not portable' : 'cannot be verified here'}`, Ref.RegisteredAlgorithms);
  }
  return algorithm;
}

/** 2^63 - 1 as the nearest double (2^63): JSON numbers above it do not fit an int64. */
const INT64_MAX = 2 ** 63;

/** A size: an int64 that MUST NOT be negative; above 2^53-1 JSON numbers lose precision. */
export function checkSize(ctx: Context, v: unknown, base: string, key: string): void {
  if (typeof v !== 'number' || (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v))) return;
  const path = child(base, key);
  if (!Number.isInteger(v)) {
    ctx.must('SIZE_NOT_INTEGER', path, `expected a size in bytes (an integer), found ${v}`, Ref.DescriptorProperties);
  } else if (v < 0) {
    ctx.must('SIZE_NEGATIVE', path, `expected a size of 0 or more bytes, found ${v}`, Ref.DescriptorSize);
  } else if (v >= INT64_MAX) {
    ctx.must('SIZE_OUT_OF_RANGE', path, `expected a size that fits an int64, found ${v}`, Ref.DescriptorProperties);
  } else if (v > Number.MAX_SAFE_INTEGER) {
    ctx.should('SIZE_UNSAFE_INTEGER', path, `expected a size of at most 2^53-1 to be exact in JSON numbers, found ${v}`, Ref.JsonNumbers);
  }
}

// RFC 3986: scheme ":" then only unreserved, reserved and percent-encoded characters.
const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/** True when `s` is an absolute URI per RFC 3986 (scheme, allowed characters, well-formed %XX). */
export function isUri(s: string): boolean {
  return URI_RE.test(s) && !BAD_PERCENT.test(s);
}

export function checkUrls(ctx: Context, v: unknown, path: string): void {
  if (!Array.isArray(v)) return;
  for (let i = 0; i < v.length; i++) {
    const u: unknown = v[i];
    if (typeof u !== 'string') continue;
    if (!isUri(u)) {
      ctx.must('DESCRIPTOR_URL_INVALID', child(path, i), `expected an RFC 3986 URI, found ${show(u)}`, Ref.DescriptorProperties);
    } else if (!/^https?:/i.test(u)) {
      ctx.should('DESCRIPTOR_URL_SCHEME', child(path, i), `expected an http or https URL, found ${show(u.slice(0, u.indexOf(':')))} scheme`, Ref.DescriptorProperties);
    }
  }
}

// RFC 3339 section 5.6 date-time: full-date "T" full-time, "t"/"z" allowed in lower case:
//   YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
// Read by position, not by a capturing regex: configs carry one per history entry.

/** Two ASCII digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** True when `s` is an RFC 3339 section 5.6 `date-time`, with field ranges checked. */
export function isDateTime(s: string): boolean {
  if (s.length < 20) return false;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const t = s.charCodeAt(10);
  if (hi < 0 || lo < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (t !== 84 && t !== 116)) return false;
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const year = hi * 100 + lo;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > days) return false;
  let i = 19;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === start) return false;
  }
  const z = s.charCodeAt(i);
  if ((z === 90 || z === 122) && i + 1 === s.length) return true;
  if ((z !== 43 && z !== 45) || i + 6 !== s.length || s.charCodeAt(i + 3) !== 58) return false;
  const oh = two(s, i + 1);
  const om = two(s, i + 4);
  return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

// annotations.md: the grammar of org.opencontainers.image.ref.name.
const REF_NAME_RE = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/;

/** The `org.opencontainers.image.ref.name` grammar in words, for messages that refuse a name. */
export const REF_NAME_GRAMMAR = 'components [A-Za-z0-9]+ joined by one of "-._:@+" or "--", separated by "/"';

/** True when `s` matches the `org.opencontainers.image.ref.name` grammar. */
export function isRefName(s: string): boolean {
  return REF_NAME_RE.test(s);
}

const KNOWN_ANNOTATIONS = new Set<string>(Object.values(Annotation));

/**
 * Annotation rules (annotations.md "Rules") and the formats of the
 * pre-defined keys. Image-config `Labels` MUST use the same rules.
 */
export function checkAnnotations(ctx: Context, v: unknown, path: string): void {
  if (!isObject(v)) return;
  for (const key in v) {
    const value = v[key];
    const at = child(path, key);
    if (key.startsWith(RESERVED_ANNOTATION_PREFIX)) {
      if (!KNOWN_ANNOTATIONS.has(key)) {
        // The rule is a MUST; this package has always reported it as a warning (README, "Finding codes").
        ctx.warning({ path: at, code: 'ANNOTATION_KEY_RESERVED', message: `expected a key defined by an OCI specification under the reserved prefix "org.opencontainers", found ${show(key)}`, level: 'MUST', ref: Ref.AnnotationRules });
        continue;
      }
    } else if (!key.includes('.')) {
      ctx.should('ANNOTATION_KEY_NOT_NAMESPACED', at, `expected a key in reverse domain notation (e.g. com.example.key), found ${show(key)}`, Ref.AnnotationRules);
      continue;
    } else {
      continue;
    }
    if (typeof value !== 'string') continue;
    switch (key) {
      case Annotation.Created:
        if (!isDateTime(value)) ctx.must('ANNOTATION_CREATED_INVALID', at, `expected an RFC 3339 date-time, found ${show(value)}`, Ref.PredefinedAnnotations);
        break;
      case Annotation.Url:
      case Annotation.Documentation:
      case Annotation.Source:
        if (!isUri(value)) ctx.should('ANNOTATION_URL_INVALID', at, `expected a URL, found ${show(value)}`, Ref.PredefinedAnnotations);
        break;
      case Annotation.RefName:
        if (!isRefName(value)) ctx.should('ANNOTATION_REF_NAME_INVALID', at, `expected a reference name of ${REF_NAME_GRAMMAR}, found ${show(value)}`, Ref.PredefinedAnnotations);
        break;
      case Annotation.BaseDigest:
        try {
          parseDigest(value);
        } catch {
          ctx.should('ANNOTATION_BASE_DIGEST_INVALID', at, `expected a digest "<algorithm>:<encoded>", found ${show(value)}`, Ref.PredefinedAnnotations);
        }
        break;
      case Annotation.BaseName:
        if (!isValidReference(value)) ctx.should('ANNOTATION_BASE_NAME_INVALID', at, `expected an image reference, found ${show(value)}`, Ref.PredefinedAnnotations);
        break;
      default:
        break;
    }
  }
}

/** Labels of an image config MUST follow the annotation rules. */
export const checkLabels = checkAnnotations;

/** Go's `GOOS` values (go tool dist list), which image-spec says platforms SHOULD use. */
export const KNOWN_OS: ReadonlySet<string> = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos',
]);

/** Go's `GOARCH` values, which image-spec says platforms SHOULD use. */
export const KNOWN_ARCHITECTURES: ReadonlySet<string> = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'arm64', 'arm64be', 'armbe', 'loong64', 'mips', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'mipsle',
  'ppc', 'ppc64', 'ppc64le', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

/** The "Platform Variants" table (image-spec main): listed values, and the open-ended series it names with "…". */
const VARIANTS: Readonly<Record<string, RegExp>> = {
  arm: /^v[678]$/,
  arm64: /^v(?:8|9)(?:\.[0-9])?$/,
  ppc64le: /^power\d+$/,
  riscv64: /^rva\d+u64$/,
  amd64: /^v\d+$/,
};

/**
 * Platform values outside the documented ones are warnings: image indexes
 * and configs SHOULD use Go's values and the variants table.
 */
export function checkPlatformValues(ctx: Context, p: Record<string, unknown>, path: string, ref: string): void {
  const { os, architecture, variant } = p;
  if (typeof os === 'string' && !KNOWN_OS.has(os)) {
    ctx.should('PLATFORM_OS_UNKNOWN', child(path, 'os'), `expected a GOOS value (e.g. linux, windows), found ${show(os)}`, ref);
  }
  if (typeof architecture === 'string' && !KNOWN_ARCHITECTURES.has(architecture)) {
    ctx.should('PLATFORM_ARCHITECTURE_UNKNOWN', child(path, 'architecture'), `expected a GOARCH value (e.g. amd64, arm64), found ${show(architecture)}`, ref);
  }
  if (typeof variant === 'string' && typeof architecture === 'string') {
    const allowed = VARIANTS[architecture];
    if (!allowed || !allowed.test(variant)) {
      ctx.should('PLATFORM_VARIANT_UNKNOWN', child(path, 'variant'), `expected a variant from the Platform Variants table for ${show(architecture)}, found ${show(variant)}`, Ref.PlatformVariants);
    }
  }
  const features = p['os.features'];
  if (os === 'windows' && Array.isArray(features)) {
    features.forEach((f: unknown, i) => {
      if (typeof f === 'string' && f !== 'win32k') {
        ctx.should('PLATFORM_OS_FEATURE_UNKNOWN', child(child(path, 'os.features'), i), `expected a documented Windows OS feature (win32k), found ${show(f)}`, ref);
      }
    });
  }
}

/** Platform of a descriptor: values, plus `features`, which is reserved. */
export function checkPlatform(ctx: Context, v: unknown, path: string): void {
  if (!isObject(v)) return;
  checkPlatformValues(ctx, v, path, Ref.IndexProperties);
  if (v['features'] !== undefined) {
    ctx.should('PLATFORM_FEATURES_RESERVED', child(path, 'features'), 'expected no "features": the property is reserved for future versions of the specification', Ref.IndexProperties);
  }
}

/** The base64 alphabet (RFC 4648 section 4, table 1), by character code. */
const BASE64_ALPHABET = (() => {
  const t = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') t[c.charCodeAt(0)] = 1;
  return t;
})();

/**
 * True when `s` is canonical base64 (RFC 4648 section 4, padded): whole
 * quanta of four alphabet characters, the last ending in at most two `=`.
 * One pass, no regex: `data` can be megabytes, and a backtracking regex
 * over a repeated group ran out of stack on 5 MB.
 */
export function isBase64(s: string): boolean {
  const n = s.length;
  if (n % 4 !== 0) return false;
  const pad = n === 0 || s.charCodeAt(n - 1) !== 0x3d ? 0 : s.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  for (let i = 0; i < n - pad; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || BASE64_ALPHABET[c] === 0) return false;
  }
  return true;
}

/**
 * A descriptor (descriptor.md "Properties") wherever it appears. In Docker
 * documents `platform.features` lists CPU features rather than being reserved.
 */
export function checkDescriptor(ctx: Context, v: unknown, path: string, docker = false): void {
  if (!isObject(v)) return;
    checkMediaType(ctx, v['mediaType'], path, 'mediaType', 'DESCRIPTOR_MEDIA_TYPE_INVALID', Ref.DescriptorProperties);
  const algorithm = checkDigest(ctx, v['digest'], path, 'digest');
  const size = v['size'];
  checkSize(ctx, size, path, 'size');
  if (v['urls'] !== undefined) checkUrls(ctx, v['urls'], `${path}/urls`);
  if (v['annotations'] !== undefined) checkAnnotations(ctx, v['annotations'], `${path}/annotations`);
  if (v['artifactType'] !== undefined) checkMediaType(ctx, v['artifactType'], path, 'artifactType', 'DESCRIPTOR_ARTIFACT_TYPE_INVALID', Ref.DescriptorProperties);
  const platform = v['platform'];
  if (platform !== undefined) {
    if (docker) {
      if (isObject(platform)) checkPlatformValues(ctx, platform, `${path}/platform`, Ref.DockerManifestList);
    } else {
      checkPlatform(ctx, platform, `${path}/platform`);
    }
  }
  const data = v['data'];
  if (typeof data === 'string') checkData(ctx, data, size, v['digest'], algorithm, path);
}

/** Embedded data: base64 whose decoded bytes MUST be the referenced content. */
function checkData(ctx: Context, data: string, size: unknown, digest: unknown, algorithm: string | undefined, path: string): void {
  const at = child(path, 'data');
  if (!isBase64(data)) {
    ctx.must('DESCRIPTOR_DATA_INVALID', at, 'expected base64 (RFC 4648 section 4, padded), found other characters or bad padding', Ref.DescriptorProperties);
    return;
  }
  const bytes = Buffer.from(data, 'base64');
  if (typeof size === 'number' && bytes.length !== size) {
    ctx.must('DESCRIPTOR_DATA_SIZE_MISMATCH', at, `expected data of ${size} bytes (the descriptor's size), found ${bytes.length}`, Ref.DescriptorProperties);
  }
  if (algorithm !== undefined && typeof digest === 'string' && isSupported(algorithm)) {
    const actual = digestOf(bytes, algorithm);
    if (actual !== digest) {
      ctx.must('DESCRIPTOR_DATA_DIGEST_MISMATCH', at, `expected data hashing to ${digest}, found ${actual}`, Ref.DescriptorProperties);
    }
  }
}
