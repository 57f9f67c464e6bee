import { OcikitError, type OcikitErrorOptions } from '@ocikit/errors';

/**
 * Exit statuses of `ocikit`. Stable: scripts depend on them.
 */
export const ExitCode = {
  /** Everything checked out. */
  Ok: 0,
  /** The input was read and found wanting: invalid document, digest mismatch, failed MUST. */
  Failure: 1,
  /** The command line was wrong, or a named path could not be read. */
  Usage: 2,
  /** A bug in ocikit: an unexpected exception. */
  Internal: 70,
  /**
   * `run` and `exec`, whose other statuses are the container process's own
   * (as docker and podman): ocikit itself failed (no such image, no runtime,
   * a usage error).
   */
  ContainerFailed: 125,
  /** `run`/`exec`: the process cannot be invoked (not executable, no command at all). */
  CannotInvoke: 126,
  /** `run`/`exec`: the process's executable is not in the container. */
  CommandNotFound: 127,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Commands whose exit status is a container process's: their own failures are 125, 126 and 127 (docker's and podman's). */
export const PROCESS_COMMANDS: ReadonlySet<string> = new Set(['run', 'exec']);

/** Thrown by commands for a usage problem; main() prints its message and exits 2. */
export class UsageError extends OcikitError<'USAGE'> {
  override readonly name = 'UsageError';

  constructor(message: string, options?: OcikitErrorOptions) {
    super('USAGE', message, options);
  }
}
