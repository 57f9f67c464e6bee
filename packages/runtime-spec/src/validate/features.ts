/**
 * Meaning checks of a runtime's features document (runtime-spec `features.md`).
 */
import type { Features } from '../types/features.js';
import { compareSemVer, parseSemVer } from './semver.js';
import { specRef, type Findings } from './findings.js';
import { COMPILED_FEATURES_FIELDS } from '../versions.js';
import { checkAnnotations, checkFieldVersions, ptr } from './common.js';

const FEATURES_REF = specRef('features.md');
const LINUX_FEATURES_REF = specRef('features-linux.md');

export function checkFeatures(f: Findings, doc: Features): void {
  const min = parseSemVer(doc.ociVersionMin);
  const max = parseSemVer(doc.ociVersionMax);
  if (!min) f.must('SpecVersionInSemVer', '/ociVersionMin', `expected a SemVer 2.0.0 version, found ${JSON.stringify(doc.ociVersionMin)}`, FEATURES_REF);
  if (!max) f.must('SpecVersionInSemVer', '/ociVersionMax', `expected a SemVer 2.0.0 version, found ${JSON.stringify(doc.ociVersionMax)}`, FEATURES_REF);
  if (min && max && compareSemVer(min, max) > 0) {
    f.must('FeaturesVersionRange', '/ociVersionMax', `expected ociVersionMin <= ociVersionMax, found ${doc.ociVersionMin} > ${doc.ociVersionMax}`, FEATURES_REF);
  }
  // Runtimes describe themselves with their own (often org.opencontainers.<runtime>.*) keys: no reservation check.
  if (doc.annotations) checkAnnotations(f, doc.annotations, '/annotations', false);
  for (let k = 0, items = (doc.potentiallyUnsafeConfigAnnotations ?? []); k < items.length; k++) {
    const key = items[k]!;
    if (key === '') f.must('AnnotationsKeyRequired', ptr('/potentiallyUnsafeConfigAnnotations', k), 'expected a non-empty annotation key or prefix, found ""', FEATURES_REF);
  }
  // Fields newer than the newest version the runtime declares.
  if (max && max.major === 1) checkFieldVersions(f, doc, max, COMPILED_FEATURES_FIELDS);
  const seccomp = doc.linux?.seccomp;
  if (seccomp?.supportedFlags && seccomp.knownFlags) {
    const known = new Set(seccomp.knownFlags);
    for (let k = 0, items = seccomp.supportedFlags; k < items.length; k++) {
      const flag = items[k]!;
      if (!known.has(flag)) f.should('FeaturesSupportedFlagsKnown', ptr('/linux/seccomp/supportedFlags', k), `expected supported flags to be a subset of knownFlags, found "${flag}" only in supportedFlags`, LINUX_FEATURES_REF);
    }
  }
}
