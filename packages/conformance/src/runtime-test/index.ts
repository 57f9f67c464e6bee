/**
 * The runtime conformance harness behind `ocikit runtime-test`: drives any
 * runtime that speaks the runc command line through the checks of the
 * runtime-spec lifecycle, hooks and process environment.
 */
export { runRuntimeTest, parseVersion, type RunOptions, type RunReport, type Summary } from './run.js';
export { RuntimeDriver, spokenSpecVersion, clampSpecVersion, specLine, type SpokenVersion, type CallRecord, type CreateOptions, type DriverOptions, type CleanupReport } from './driver.js';
export { ALL_CHECKS } from './checks/index.js';
export { Level, Outcome, type Check, type CheckContext, type CheckResult, type RuntimeInfo, type Bundle, type BundleOptions } from './check.js';
export { RuntimeTestError, RuntimeTestErrorCode, fail, skip } from './errors.js';
export { selectChecks, parsePatterns } from './select.js';
export { findRuntime } from '@ocikit/container';
export { findStaticBusybox, isStaticElf, buildBusyboxRootfs, checkRootfs } from './rootfs.js';
export { formatTap, formatHuman, toJson, mustFailed, tapHeader, tapLine, tapFooter, tapPreflight, humanLine, humanSummary, humanPreflight, type JsonReport } from './report.js';
export { runPreflight, runtimeMessage, type Preflight } from './preflight.js';
export { readHostFeatures, hasController, requireController, requireHost, type HostFeatures, type CgroupMode } from './host.js';
