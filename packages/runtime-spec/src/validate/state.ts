/**
 * Meaning checks of a container state (runtime-spec `runtime.md`, "State").
 */
import type { TargetOS } from '../constants.js';
import type { State } from '../types/state.js';
import { specRef, type Findings } from './findings.js';
import { checkAnnotations, checkOciVersion, isAbsPosix } from './common.js';

const STATE_REF = specRef('runtime.md', 'state');

export function checkState(f: Findings, s: State, os?: TargetOS): void {
  // runtime.md asks only for "the version of the specification with which the
  // state complies"; unlike config.md it does not require SemVer, so a version
  // such as crun's "1.0" is worth a warning, not an error.
  if (/^\d+\.\d+\.\d+/.test(s.ociVersion)) checkOciVersion(f, s.ociVersion, '/ociVersion', STATE_REF);
  else f.should('StateVersionSemVer', '/ociVersion', `expected a SemVer 2.0.0 spec version such as "1.3.0", found ${JSON.stringify(s.ociVersion)}`, STATE_REF);
  // pid is REQUIRED on Linux while created or running; other platforms MAY omit it.
  if ((os === undefined || os === 'linux') && (s.status === 'created' || s.status === 'running') && s.pid === undefined) {
    f.must('StatePidRequired', '/pid', `expected pid while the container is ${s.status} (REQUIRED on Linux), found none`, STATE_REF);
  }
  if (os === 'windows' ? !/^[A-Za-z]:[\\/]|^\\\\/.test(s.bundle) : !isAbsPosix(s.bundle)) {
    f.must('StateBundleAbs', '/bundle', `expected the absolute path of the bundle, found ${JSON.stringify(s.bundle)}`, STATE_REF);
  }
  if (s.annotations) checkAnnotations(f, s.annotations, '/annotations');
}
