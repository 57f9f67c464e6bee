/**
 * Verifying every stored signature of one image, whatever the format or the
 * store: at least one must verify. When none does, the refusal that got
 * furthest is the one reported: a good signature for another identity says
 * more than a stranger's key, which says more than a corrupt blob.
 */
import { SignatureError, SignatureErrorCode } from './errors.js';

/** How far verification got before a refusal: a later stage says more about what is wrong. */
const STAGE: Partial<Record<SignatureErrorCode, number>> = {
  [SignatureErrorCode.BadSignature]: 2,
  [SignatureErrorCode.UntrustedKey]: 2,
  [SignatureErrorCode.KeyExpiredOrRevoked]: 2,
  [SignatureErrorCode.PayloadInvalid]: 3,
  [SignatureErrorCode.UnknownCriticalKey]: 3,
  [SignatureErrorCode.WrongType]: 3,
  [SignatureErrorCode.DigestMismatch]: 4,
  [SignatureErrorCode.IdentityMismatch]: 5,
};

export interface VerifyEachOptions {
  /** The format, for messages (`cosign`, `simple`). */
  format: string;
  /** The image, for messages (`registry/repo@sha256:…`, `layout dir@sha256:…`). */
  image: string;
  /** Where signatures were looked for, for the NotSigned message. */
  lookedIn: string;
  /** The specification a NotSigned refusal points at. */
  ref?: string;
}

/**
 * `verifyOne` over every candidate; the ones that verified, in order (at least one).
 * @throws SignatureError NotSigned when there is no candidate; when none
 *   verifies, the refusal of the one that came closest; an InvalidArgument
 *   or any error that is no refusal at once
 */
export async function verifyEach<C, V>(candidates: readonly C[], verifyOne: (candidate: C) => V | Promise<V>, options: VerifyEachOptions): Promise<V[]> {
  if (candidates.length === 0) {
    throw new SignatureError(SignatureErrorCode.NotSigned, `${options.image} has no ${options.format} signature (${options.lookedIn})`, { ...(options.ref !== undefined && { ref: options.ref }) });
  }
  const verified: V[] = [];
  let best: { stage: number; error: SignatureError } | undefined;
  for (const candidate of candidates) {
    try {
      verified.push(await verifyOne(candidate));
    } catch (err) {
      if (!(err instanceof SignatureError) || err.code === SignatureErrorCode.InvalidArgument) throw err;
      const stage = STAGE[err.code] ?? 0;
      if (best === undefined || stage > best.stage) best = { stage, error: err };
    }
  }
  if (verified.length === 0) {
    const { error } = best!;
    throw new SignatureError(error.code, `none of the ${candidates.length} ${options.format} signatures of ${options.image} verifies: ${error.message}`, {
      cause: error,
      ...(error.ref !== undefined && { ref: error.ref }),
    });
  }
  return verified;
}
