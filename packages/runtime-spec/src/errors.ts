import { OcikitError, type CodeOf, type OcikitErrorOptions } from '@ocikit/errors';
import type { Finding } from '@ocikit/validation';

/** Stable codes of {@link RuntimeSpecError}. */
export const RuntimeSpecErrorCode = {
  /** A document broke a MUST of the spec (findings attached); the code image-spec's parse errors carry too. */
  DocumentInvalid: 'DOCUMENT_INVALID',
  /** @deprecated The same code under its old key: use `DocumentInvalid`. */
  InvalidDocument: 'DOCUMENT_INVALID',
  /** A bundle directory could not be read. */
  UnreadableBundle: 'UNREADABLE_BUNDLE',
  /** An operation was asked of a container in a status that does not allow it. */
  InvalidTransition: 'INVALID_TRANSITION',
  /** A builder or generator argument was out of range. */
  InvalidArgument: 'INVALID_ARGUMENT',
  /** A target runtime-spec version that is not a release this package knows. */
  UnsupportedVersion: 'UNSUPPORTED_VERSION',
  /** A configuration uses something the target version cannot say, and leaving it out would change what it asks for. */
  NotExpressible: 'NOT_EXPRESSIBLE',
  /** Confinement (`@ocikit/runtime-spec/confine`): too many symlinks while resolving a path inside a root (a loop). */
  SymlinkLoop: 'SYMLINK_LOOP',
  /** Confinement: a path is unusable in the root (longer than PATH_MAX, through a non-directory, names the root where an entry is needed). */
  InvalidPath: 'INVALID_PATH',
  /** Confinement: a hardlink names a target that does not exist or is a directory. */
  InvalidLink: 'INVALID_LINK',
} as const;
export type RuntimeSpecErrorCode = CodeOf<typeof RuntimeSpecErrorCode>;

/** The one error class of @ocikit/runtime-spec. */
export class RuntimeSpecError extends OcikitError<RuntimeSpecErrorCode> {
  override readonly name = 'RuntimeSpecError';
  /** MUST-level findings when `code` is DOCUMENT_INVALID. */
  readonly findings: readonly Finding[];

  constructor(code: RuntimeSpecErrorCode, message: string, options: OcikitErrorOptions & { findings?: readonly Finding[] } = {}) {
    super(code, message, options);
    this.findings = options.findings ?? [];
  }
}
