// @ocikit/signature: signatures over the content address (issue #17).
// containers/image simple signing (containers-signature.5.md) over OpenPGP through gpg,
// and cosign's format (ECDSA P-256 keys, simple signing payloads, `.sig` tags in a registry).
export { SignatureError, SignatureErrorCode, isSignatureError, SIMPLE_SIGNING_SPEC, COSIGN_SIGNATURE_SPEC } from './errors.js';
export {
  SIMPLE_SIGNING_TYPE,
  MAX_PAYLOAD_BYTES,
  buildSimpleSigningPayload,
  parseSimpleSigningPayload,
  type BuildPayloadOptions,
  type ParsePayloadOptions,
  type SimpleSigningPayload,
} from './simple-signing/payload.js';
export { gpgSign, gpgVerify, DEFAULT_GPG_TIMEOUT_MS, type GpgOptions, type GpgSignOptions, type GpgVerified, type TrustedKeys } from './simple-signing/gpg.js';
export {
  verifySimpleSignature,
  signSimple,
  IdentityPolicy,
  type VerifySimpleSignatureOptions,
  type VerifiedSimpleSignature,
  type SignSimpleOptions,
  type SignedSimple,
} from './simple-signing/verify.js';
export {
  SIGSTORE_PRIVATE_KEY_PEM_TYPE,
  COSIGN_PRIVATE_KEY_PEM_TYPE,
  PUBLIC_KEY_PEM_TYPE,
  COSIGN_SCRYPT_PARAMS,
  generateCosignKeyPair,
  encryptCosignPrivateKey,
  decryptCosignPrivateKey,
  encodeCosignPublicKey,
  parseCosignPublicKey,
  writeCosignKeyPair,
  readCosignPrivateKey,
  readCosignPublicKey,
  type CosignKeyPair,
  type CosignPrivateKeyPemType,
  type EncryptPrivateKeyOptions,
  type Passphrase,
  type WriteKeyPairOptions,
  type WrittenKeyPair,
} from './cosign/keys.js';
export {
  COSIGN_SIGNATURE_TYPE,
  COSIGN_SIMPLE_SIGNING_MEDIA_TYPE,
  COSIGN_SIGNATURE_ANNOTATION,
  buildCosignPayload,
  parseCosignPayload,
  signCosignPayload,
  verifyCosignPayloadSignature,
  signCosign,
  verifyCosignSignature,
  type BuildCosignPayloadOptions,
  type SignCosignOptions,
  type SignedCosign,
  type VerifyCosignSignatureOptions,
  type VerifiedCosignSignature,
} from './cosign/simple-signing.js';
export {
  COSIGN_SIGNATURE_TAG_SUFFIX,
  COSIGN_MAX_SIGNATURE_LAYERS,
  cosignSignatureTag,
  signImageCosign,
  verifyImageCosign,
  type SignImageCosignOptions,
  type SignedImageCosign,
  type VerifyImageCosignOptions,
  type VerifiedImageCosign,
} from './cosign/registry.js';
