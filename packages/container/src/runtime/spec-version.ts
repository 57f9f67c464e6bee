/**
 * Which runtime-spec release a runtime speaks, from what it says about
 * itself: the one home of that decision, for `ocikit run` (configs it
 * writes) and `ocikit runtime-test` (configs it checks with).
 */
import { parseSemVer, parseSpecVersion, SPEC_VERSIONS, type SpecVersion } from '@ocikit/runtime-spec';

/** Which runtime-spec release a runtime speaks, and how that was decided. */
export interface SpokenVersion {
  /** The release configs for it declare: one ocikit knows. */
  version: SpecVersion;
  /** What the runtime said, as it said it (`1.0.2-dev`), when it said anything usable. */
  declared?: string;
  /** `override` (the caller chose), `features` (ociVersionMax), `version` (the `spec:` line of --version) or `default` (the newest release). */
  source: 'override' | 'features' | 'version' | 'default';
}

/** The `spec: 1.0.2-dev` line of runc's and crun's `--version` output. */
export function specLine(versionText: string): string | undefined {
  return /^\s*spec(?:[ -]?version)?\s*:\s*v?(\S+)/im.exec(versionText)?.[1];
}

/**
 * The newest release ocikit knows that is not newer than `declared`, by
 * release numbers: `1.0.2-dev` (runtime-spec's name for work after 1.0.2,
 * which runc 1.1 declares) is 1.0.2, `1.4.0` is 1.3.0, `0.5.0` is 1.0.0.
 * Undefined when `declared` is no SemVer or of another major version.
 */
export function clampSpecVersion(declared: string): SpecVersion | undefined {
  const v = parseSemVer(declared);
  if (!v || v.major > 1) return undefined;
  if (v.major === 0) return SPEC_VERSIONS[0];
  let best: SpecVersion = SPEC_VERSIONS[0];
  for (const known of SPEC_VERSIONS) {
    const k = parseSemVer(known)!;
    if (k.minor < v.minor || (k.minor === v.minor && k.patch <= v.patch)) best = known;
  }
  return best;
}

/**
 * Which release to write configs in for a runtime, from what it says about
 * itself: `features` output's `ociVersionMax` (runtime-spec features.md)
 * when it has the command, else the `spec:` line of `--version` (runc prints
 * `spec: 1.0.2-dev`, crun `spec: 1.0.0`), clamped to the releases ocikit
 * knows; the newest when it says nothing usable. `override` wins, and must be
 * a release (UNSUPPORTED_VERSION otherwise).
 */
export function spokenSpecVersion(said: { featuresText?: string; versionText?: string }, override?: string): SpokenVersion {
  if (override !== undefined) return { version: parseSpecVersion(override), source: 'override' };
  if (said.featuresText !== undefined) {
    let max: unknown;
    try {
      max = (JSON.parse(said.featuresText) as { ociVersionMax?: unknown } | null)?.ociVersionMax;
    } catch {
      // Not JSON: the features check reports it; fall back to --version.
    }
    const version = typeof max === 'string' ? clampSpecVersion(max) : undefined;
    if (version !== undefined) return { version, declared: max as string, source: 'features' };
  }
  const line = said.versionText === undefined ? undefined : specLine(said.versionText);
  const version = line === undefined ? undefined : clampSpecVersion(line);
  if (version !== undefined) return { version, declared: line!, source: 'version' };
  return { version: SPEC_VERSIONS[SPEC_VERSIONS.length - 1]!, source: 'default' };
}
