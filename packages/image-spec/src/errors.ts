import { OcikitError, type CodeOf } from '@ocikit/errors';
import type { Finding } from '@ocikit/validation';

/** Stable codes of {@link InvalidDocumentError}. */
export const DocumentErrorCode = {
  /** The document breaks at least one MUST rule; `errors` lists every finding. */
  Invalid: 'DOCUMENT_INVALID',
} as const;
export type DocumentErrorCode = CodeOf<typeof DocumentErrorCode>;

/**
 * Thrown by `parse` and the `parse*` functions: the document is not a valid
 * document of its kind. Carries every error, not just the first.
 */
export class InvalidDocumentError extends OcikitError<DocumentErrorCode> {
  override readonly name = 'InvalidDocumentError';

  constructor(
    /** Kind the document was parsed as (`image-manifest`, ...). */
    readonly kind: string,
    /** Every MUST-level finding. */
    readonly errors: readonly Finding[],
    /** SHOULD-level findings seen on the way. */
    readonly warnings: readonly Finding[],
    options?: { cause?: unknown },
  ) {
    const first = errors[0];
    const where = first ? `${first.path === '' ? '(document)' : first.path}: ${first.message} [${first.code}]` : 'no detail';
    super(DocumentErrorCode.Invalid, `expected a valid ${kind}, found ${errors.length} error${errors.length === 1 ? '' : 's'}; first at ${where}`, options);
  }
}
