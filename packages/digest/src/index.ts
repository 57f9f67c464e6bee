// @ocikit/digest: OCI content addressing (image-spec descriptor.md "Digests").
export {
  Algorithm,
  DEFAULT_ALGORITHM,
  ENCODED_LENGTH,
  REGISTERED_ALGORITHMS,
  SUPPORTED_ALGORITHMS,
  isRegisteredAlgorithm,
  isSupportedAlgorithm,
  type RegisteredAlgorithm,
  type SupportedAlgorithm,
} from './algorithms.js';
export { DigestError, DigestErrorCode, DigestMismatchError, SizeMismatchError, SpecRef, type DigestErrorOptions } from './errors.js';
export {
  DigestPattern,
  isSupported,
  isValidDigest,
  parseDigest,
  parseSupportedDigest,
  validateDigest,
  type Digest,
  type DigestFinding,
  type DigestValidation,
  type ParsedDigest,
} from './grammar.js';
export { blake3Implementation, type Blake3Implementation } from './blake3.js';
export { createDigester, digestOf, type Digester } from './digester.js';
export { createDigestingStream, digestStream, DigestingStream, type ByteSource, type DigestResult } from './stream.js';
export {
  createVerifier,
  createVerifyingStream,
  createVerifyingTransformStream,
  verifyBytes,
  verifyStream,
  VerifyingStream,
  type Expected,
  type Verifier,
} from './verify.js';
export { digestFile, verifyFile } from './file.js';
export { createFileDigestPool, digestFiles, type FileDigestPool, type FileDigestPoolOptions } from './pool.js';
