// @ocikit/signature: signatures over the content address (issue #17).
// containers/image simple signing (containers-signature.5.md) over OpenPGP through gpg.
export { SignatureError, SignatureErrorCode, isSignatureError, SIMPLE_SIGNING_SPEC } from './errors.js';
export {
  SIMPLE_SIGNING_TYPE,
  MAX_PAYLOAD_BYTES,
  buildSimpleSigningPayload,
  parseSimpleSigningPayload,
  type BuildPayloadOptions,
  type SimpleSigningPayload,
} from './simple-signing/payload.js';
export { gpgSign, gpgVerify, DEFAULT_GPG_TIMEOUT_MS, type GpgOptions, type GpgSignOptions, type GpgVerified, type TrustedKeys } from './simple-signing/gpg.js';
export {
  verifySimpleSignature,
  signSimple,
  type VerifySimpleSignatureOptions,
  type VerifiedSimpleSignature,
  type SignSimpleOptions,
  type SignedSimple,
} from './simple-signing/verify.js';
