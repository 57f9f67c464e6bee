/**
 * SemVer 2.0.0 (https://semver.org/spec/v2.0.0.html), built from named atoms
 * as the grammar in its section 11 and its BNF are written.
 */
const NUMERIC = '0|[1-9][0-9]*';
const ALNUM_ID = '[0-9]*[A-Za-z-][0-9A-Za-z-]*';
const PRE_ID = `(?:${NUMERIC}|${ALNUM_ID})`;
const BUILD_ID = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(`^(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`);

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string[];
}

/** Parse a SemVer 2.0.0 string; undefined when it is not one. */
export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ? m[5].split('.') : [],
  };
}

/** Precedence comparison (SemVer section 11): negative, zero or positive. Build metadata is ignored. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  const len = Math.min(a.prerelease.length, b.prerelease.length);
  for (let k = 0; k < len; k++) {
    const x = a.prerelease[k]!;
    const y = b.prerelease[k]!;
    if (x === y) continue;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn) return -1;
    if (yn) return 1;
    return x < y ? -1 : 1;
  }
  return a.prerelease.length - b.prerelease.length;
}
