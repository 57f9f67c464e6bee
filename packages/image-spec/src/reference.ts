/**
 * Image references: the DNS-federated names users type (`ubuntu`,
 * `ghcr.io/org/app:1.2`, `localhost:5000/x@sha256:...`). The grammar is the
 * one of the distribution reference package:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain "/"] remote-name
 *   domain           := host [":" port-number]
 *   host             := domain-name | IPv4address | "[" IPv6address "]"
 *   domain-name      := domain-component ["." domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   remote-name      := path-component ["/" path-component]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex (at least 32 hex digits), then the
 *                       digest rules of `@ocikit/digest`
 *
 * built here from small named atoms. The remote name is at most 255 characters.
 */
import { parseDigest } from '@ocikit/digest';
import { OcikitError, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

/** Stable codes of {@link InvalidReferenceError}, named after distribution's errors. */
export const ReferenceErrorCode = {
  /** The input is empty: a reference needs at least one name component. */
  NameEmpty: 'NAME_EMPTY',
  /** The repository name (path) is longer than 255 characters. */
  NameTooLong: 'NAME_TOO_LONG',
  /** The repository name has upper-case letters (valid once lower-cased). */
  NameContainsUppercase: 'NAME_CONTAINS_UPPERCASE',
  /** The name is valid but what follows ":" is not a tag. */
  TagInvalidFormat: 'TAG_INVALID_FORMAT',
  /** The name is valid but what follows "@" is not a valid digest. */
  DigestInvalidFormat: 'DIGEST_INVALID_FORMAT',
  /** Anything else outside the grammar. */
  ReferenceInvalidFormat: 'REFERENCE_INVALID_FORMAT',
} as const;
export type ReferenceErrorCode = CodeOf<typeof ReferenceErrorCode>;

/** The input is not an image reference; `code` says which rule it breaks. */
export class InvalidReferenceError extends OcikitError<ReferenceErrorCode> {
  override readonly name = 'InvalidReferenceError';

  constructor(
    code: ReferenceErrorCode,
    message: string,
    /** The input, as given. */
    readonly input: string,
    options?: OcikitErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** A parsed image reference. `domain` is absent when the input names none. */
export interface Reference {
  domain?: string;
  /** Repository path, e.g. `library/ubuntu`. */
  path: string;
  tag?: string;
  digest?: string;
}

// Atoms.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST = `(?:${DOMAIN_NAME}|${IPV6})`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN}/)?${REMOTE_NAME}`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const NAME_RE = new RegExp(`^(?:(${DOMAIN})/)?(${REMOTE_NAME})$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const NAME_AND_TAG_RE = new RegExp(`^(${NAME})(?::(.*))?$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Maximum length of the repository path. */
export const NAME_MAX_LENGTH = 255;
/** Maximum length of a tag. */
export const TAG_MAX_LENGTH = 128;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

function fail(code: ReferenceErrorCode, input: string, what: string, cause?: unknown): never {
  throw new InvalidReferenceError(code, `invalid reference ${quote(input)}: ${what}`, input, cause === undefined ? undefined : { cause });
}

/** Say which part of an input outside the grammar is wrong. */
function diagnose(s: string): never {
  if (REFERENCE_RE.test(s.toLowerCase())) {
    fail(ReferenceErrorCode.NameContainsUppercase, s, 'expected a lower-case repository name, found upper-case letters');
  }
  const at = s.indexOf('@');
  const head = at < 0 ? s : s.slice(0, at);
  const m = NAME_AND_TAG_RE.exec(head);
  if (m) {
    const tag = m[2];
    if (tag !== undefined && !TAG_RE.test(tag)) {
      fail(ReferenceErrorCode.TagInvalidFormat, s, `expected a tag of 1 to ${TAG_MAX_LENGTH} characters [A-Za-z0-9_.-] not starting with "." or "-", found ${quote(tag)}`);
    }
    if (at >= 0) {
      fail(ReferenceErrorCode.DigestInvalidFormat, s, `expected a digest "<algorithm>:<hex>" after "@", found ${quote(s.slice(at + 1))}`);
    }
  }
  fail(ReferenceErrorCode.ReferenceInvalidFormat, s, 'expected [domain/]path[:tag][@digest] with lower-case path components');
}

/**
 * Parse an image reference exactly as written (no default domain or tag).
 * @throws InvalidReferenceError
 */
export function parseReference(s: string): Reference {
  if (typeof s !== 'string' || s === '') fail(ReferenceErrorCode.NameEmpty, String(s ?? ''), 'expected a repository name, found an empty string');
  const m = REFERENCE_RE.exec(s);
  if (!m) diagnose(s);
  const nm = NAME_RE.exec(m[1]!)!;
  const domain = nm[1];
  const path = nm[2]!;
  if (path.length > NAME_MAX_LENGTH) {
    fail(ReferenceErrorCode.NameTooLong, s, `expected a repository name of at most ${NAME_MAX_LENGTH} characters, found ${path.length}`);
  }
  const ref: Reference = { path };
  if (domain !== undefined) ref.domain = domain;
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) {
    try {
      parseDigest(m[3]);
    } catch (e) {
      fail(ReferenceErrorCode.DigestInvalidFormat, s, `expected a valid digest after "@": ${(e as Error).message}`, e);
    }
    ref.digest = m[3];
  }
  return ref;
}

/** True when `s` parses as an image reference. */
export function isValidReference(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  try {
    parseReference(s);
    return true;
  } catch {
    return false;
  }
}

/** The string form of a reference: `[domain/]path[:tag][@digest]`. */
export function formatReference(r: Reference): string {
  return `${r.domain !== undefined ? `${r.domain}/` : ''}${r.path}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/**
 * Split a familiar name into domain and remainder: the first component is a
 * domain when it is `localhost`, contains "." or ":", or has upper case;
 * otherwise the name is on Docker Hub, where single names live in `library/`.
 */
function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_PREFIX + name];
  const first = name.slice(0, slash);
  let domain: string;
  let rest: string;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    rest = name.slice(slash + 1);
  } else {
    domain = DEFAULT_DOMAIN;
    rest = name;
  }
  if (domain === DEFAULT_DOMAIN && !rest.includes('/')) rest = OFFICIAL_PREFIX + rest;
  return [domain, rest];
}

/**
 * Parse a familiar name into a fully qualified reference: the Docker Hub
 * domain and `library/` prefix are added where implied, and `latest` when
 * there is neither tag nor digest.
 * @throws InvalidReferenceError
 */
export function parseNormalizedReference(s: string): Reference {
  if (typeof s !== 'string' || s === '') fail(ReferenceErrorCode.NameEmpty, String(s ?? ''), 'expected a repository name, found an empty string');
  if (IDENTIFIER_RE.test(s)) {
    fail(ReferenceErrorCode.ReferenceInvalidFormat, s, 'expected a repository name, found a 64-character hexadecimal identifier');
  }
  const [domain, rest] = splitDockerDomain(s);
  // (`domain` is a guess from the first component; the full parse decides.)
  const remote = rest.split(/[:@]/, 1)[0]!;
  if (remote.toLowerCase() !== remote) {
    fail(ReferenceErrorCode.NameContainsUppercase, s, `expected a lower-case repository name, found ${quote(remote)}`);
  }
  let ref: Reference;
  try {
    ref = parseReference(`${domain}/${rest}`);
  } catch (e) {
    // Report against what the user typed, not the expanded form.
    if (e instanceof InvalidReferenceError) throw new InvalidReferenceError(e.code, e.message.replace(quote(e.input), quote(s)), s, { cause: e });
    throw e;
  }
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = DEFAULT_TAG;
  // The domain is what the full grammar reads (a first component such as
  // "a_b.c" looks like a domain to the split but is a path component).
  return ref;
}

/**
 * Fully qualify a familiar name: `ubuntu` becomes
 * `docker.io/library/ubuntu:latest`; `localhost:5000/x` keeps its domain.
 * @throws InvalidReferenceError
 */
export function normalizeReference(s: string): string {
  return formatReference(parseNormalizedReference(s));
}

/**
 * The short form users type: the Docker Hub domain and the `library/`
 * prefix of official images removed; tag and digest kept. The domain stays
 * when the path's first component would otherwise read as a host
 * (`docker.io/a.b/c`), so the familiar name always normalises back.
 * `docker.io/library/ubuntu:latest` becomes `ubuntu:latest`.
 * @throws InvalidReferenceError when given an invalid string
 */
export function familiarName(ref: string | Reference): string {
  const r = typeof ref === 'string' ? parseNormalizedReference(ref) : ref;
  // A string without tag or digest got "latest" from normalisation; keep the user's form.
  const tag = typeof ref === 'string' && !/[:@]/.test(ref.slice(ref.lastIndexOf('/') + 1)) ? undefined : r.tag;
  const out: Reference = { path: r.path };
  if (r.domain !== undefined && r.domain !== DEFAULT_DOMAIN) out.domain = r.domain;
  if (r.domain === DEFAULT_DOMAIN) {
    if (r.path.startsWith(OFFICIAL_PREFIX) && !r.path.slice(OFFICIAL_PREFIX.length).includes('/')) {
      out.path = r.path.slice(OFFICIAL_PREFIX.length);
    } else if (r.path.includes('/') && splitDockerDomain(r.path)[0] !== DEFAULT_DOMAIN) {
      // "docker.io/a.b/c" cannot drop its domain: "a.b/c" would name host a.b.
      out.domain = DEFAULT_DOMAIN;
    }
  }
  if (tag !== undefined) out.tag = tag;
  if (r.digest !== undefined) out.digest = r.digest;
  return formatReference(out);
}
