/**
 * The one error class of the runtime harness. Checks throw it to fail
 * (ASSERTION) or skip (SKIPPED); the harness throws it when it cannot run at
 * all (no rootfs, no runtime) or was interrupted.
 */
import { OcikitError, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';

/** Stable codes of {@link RuntimeTestError}. */
export const RuntimeTestErrorCode = {
  /** A check's expectation did not hold: the runtime deviates. */
  Assertion: 'ASSERTION',
  /** A check does not apply to this runtime or host. */
  Skipped: 'SKIPPED',
  /** No static busybox on this machine and no `--rootfs` given. */
  NoRootfs: 'NO_ROOTFS',
  /** The runtime executable could not be run. */
  RuntimeNotFound: 'RUNTIME_NOT_FOUND',
  /** A runtime call did not finish within its timeout. */
  Timeout: 'TIMEOUT',
  /** The run was interrupted (Ctrl-C, SIGTERM, an AbortSignal). */
  Aborted: 'ABORTED',
} as const;
export type RuntimeTestErrorCode = CodeOf<typeof RuntimeTestErrorCode>;

export interface RuntimeTestErrorOptions extends OcikitErrorOptions {
  /** What the spec asks for (assertions). */
  expected?: unknown;
  /** What the runtime did (assertions). */
  actual?: unknown;
}

export class RuntimeTestError extends OcikitError<RuntimeTestErrorCode> {
  override readonly name = 'RuntimeTestError';
  readonly expected: unknown;
  readonly actual: unknown;

  constructor(code: RuntimeTestErrorCode, message: string, options: RuntimeTestErrorOptions = {}) {
    super(code, message, options);
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

/** Fail the running check: the runtime broke the rule. */
export function fail(message: string, details: { expected?: unknown; actual?: unknown } = {}): never {
  throw new RuntimeTestError(RuntimeTestErrorCode.Assertion, message, details);
}

/** Skip the running check: it does not apply here. */
export function skip(reason: string): never {
  throw new RuntimeTestError(RuntimeTestErrorCode.Skipped, reason);
}
