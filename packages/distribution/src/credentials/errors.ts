/**
 * The one error of the credentials module: a RegistryError with code
 * CREDENTIALS_ERROR, and a `reason` saying which problem it is. Messages
 * name the file, the helper and the registry; never a user's secret.
 */
import { RegistryError, RegistryErrorCode } from '../errors.js';

export const CredentialsErrorReason = {
  /** An auth file is not JSON, or its `auths`/`credHelpers` entries have the wrong shape. */
  MalformedFile: 'malformed-file',
  /** An auth file could not be read or written (permissions, not a regular file). */
  FileAccess: 'file-access',
  /** The credential helper program is not on PATH. */
  HelperMissing: 'helper-missing',
  /** The helper failed, timed out or answered outside its protocol. */
  HelperFailed: 'helper-failed',
  /** logout for a registry with no stored credentials. */
  NotLoggedIn: 'not-logged-in',
  /** A registry key with a scheme, a tag or a digest, or a namespaced key for a helper. */
  InvalidKey: 'invalid-key',
  /** `--creds` text that is not USER[:PASSWORD] with a non-empty user. */
  InvalidCreds: 'invalid-creds',
} as const;
export type CredentialsErrorReason = (typeof CredentialsErrorReason)[keyof typeof CredentialsErrorReason];

export class CredentialsError extends RegistryError {
  override readonly name: string = 'CredentialsError';
  readonly reason: CredentialsErrorReason;

  constructor(reason: CredentialsErrorReason, message: string, options: { cause?: unknown } = {}) {
    super(RegistryErrorCode.Credentials, message, options);
    this.reason = reason;
  }
}

export function isCredentialsError(err: unknown, reason?: CredentialsErrorReason): err is CredentialsError {
  return err instanceof CredentialsError && (reason === undefined || err.reason === reason);
}
