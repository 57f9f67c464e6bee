/**
 * Checks shared by the config, state and features validators.
 */
import { pointer } from '@ocikit/validation';
import { OCI_DEFINED_ANNOTATIONS } from '../constants.js';
import type { Annotations } from '../types/defs.js';
import { parseSemVer, type SemVer } from './semver.js';
import { specRef, type Findings } from './findings.js';
import { forEachMatch, releaseRank, type CompiledField } from '../versions.js';

/** Join JSON Pointer reference tokens onto a base pointer. */
export const ptr = pointer;

const VERSION_REF = specRef('config.md', 'specification-version');

/**
 * `ociVersion` MUST be SemVer 2.0.0; this package reads any 1.x document.
 * Returns the parsed version when it is usable for "field too new" checks.
 */
export function checkOciVersion(f: Findings, value: string, path: string, ref = VERSION_REF): SemVer | undefined {
  const v = cachedSemVer(value);
  if (!v) {
    f.must('SpecVersionInSemVer', path, `expected a SemVer 2.0.0 version such as "1.3.0", found ${JSON.stringify(value)}`, ref);
    return undefined;
  }
  if (v.major > 1) {
    f.must('SpecVersionUnsupportedMajor', path, `expected major version 1 (compatibility holds only within a major version), found ${value}`, ref);
    return undefined;
  }
  if (v.major === 0) {
    f.should('SpecVersionPre1', path, `expected a 1.x version; ${value} predates runtime-spec 1.0 and no compatibility is promised`, ref);
    return undefined;
  }
  return v;
}

// Documents declare a handful of versions: parse each once. Bounded, so
// hostile input cannot grow it without limit; the last one is checked first
// (a plain string comparison, cheaper than hashing the key).
const parsed = new Map<string, SemVer | null>();
let lastText = '';
let lastVersion: SemVer | null = null;
function cachedSemVer(text: string): SemVer | undefined {
  if (text === lastText) return lastVersion ?? undefined;
  let v = parsed.get(text);
  if (v === undefined) {
    v = parseSemVer(text) ?? null;
    if (parsed.size < 256) parsed.set(text, v);
  }
  lastText = text;
  lastVersion = v;
  return v ?? undefined;
}

function tooNewMessage(declared: SemVer, field: string, since: string, value = false): string {
  const shown = `${declared.major}.${declared.minor}.${declared.patch}${declared.prerelease.length ? `-${declared.prerelease.join('.')}` : ''}`;
  return `expected ociVersion >= ${since} for ${field}, found ${shown}; ${value ? 'older runtimes refuse it' : 'older runtimes ignore it'}`;
}

/**
 * Warn at every field (or value) of `doc` the table dates after the declared
 * version: the same rows `downgradeConfig` removes.
 */
export function checkFieldVersions(f: Findings, doc: unknown, declared: SemVer | undefined, table: readonly CompiledField[]): void {
  if (!declared) return;
  const rank = releaseRank(declared);
  // Newest rows first: most documents declare the newest version and stop here.
  for (const row of table) {
    if (row.rank <= rank) break;
    const field = row.value === undefined ? row.path : `${JSON.stringify(row.value)} at ${row.path}`;
    forEachMatch(doc, row.tokens, row.value, (at) => f.should('SpecVersionFieldTooNew', at, tooNewMessage(declared, field, row.since, row.value !== undefined), row.ref));
  }
}

const ANNOTATIONS_REF = specRef('config.md', 'annotations');
const RESERVED = new Set<string>(OCI_DEFINED_ANNOTATIONS);

/** Annotation key rules (runtime-spec `config.md`, "Annotations"). */
export function checkAnnotations(f: Findings, annotations: Annotations, path: string, reservedCheck = true): void {
  for (const key of Object.keys(annotations)) {
    const at = ptr(path, key);
    if (key === '') {
      f.must('AnnotationsKeyRequired', at, 'expected a non-empty annotation key, found ""', ANNOTATIONS_REF);
      continue;
    }
    if (reservedCheck && (key === 'org.opencontainers' || key.startsWith('org.opencontainers.')) && !RESERVED.has(key)) {
      f.should('AnnotationsKeyReservedNS', at, `expected a key outside the reserved org.opencontainers namespace (or one the OCI specs define), found "${key}"`, ANNOTATIONS_REF);
    }
    if (!key.includes('.')) {
      f.should('AnnotationsKeyReversedDomain', at, `expected a key in reverse domain notation such as "com.example.${key}", found "${key}"`, ANNOTATIONS_REF);
    }
  }
}

/** `KEY=value` with a non-empty key (IEEE Std 1003.1-2008 environ). */
export function isEnvEntry(entry: string): boolean {
  return entry.indexOf('=') > 0;
}

/** An absolute POSIX path. */
export function isAbsPosix(p: string): boolean {
  return p.charCodeAt(0) === 47;
}

/** An absolute Windows path: `C:\...`, `C:/...` or a UNC / device path `\\...`. */
export function isAbsWindows(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}
