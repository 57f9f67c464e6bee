/**
 * Simple signatures of an image, where containers/image keeps them: the
 * lookaside storage that registries.d names for the image's reference.
 * `getSimpleSignatures` reads what `skopeo copy` and podman read;
 * `putSimpleSignature` adds one where `skopeo copy --sign-by` writes.
 * Neither verifies anything: pass each blob to `verifySimpleSignature`.
 */
import { parseDigest } from '@ocikit/digest';
import { SignatureError, SignatureErrorCode } from '../errors.js';
import { readLookasideSignatures, redactedUrl, lookasideDirectoryUrl, writeLookasideSignature, type LookasideSignature, type ReadLookasideOptions } from './lookaside.js';
import { loadRegistriesD, parseLookasideReference, resolveLookasideBase, type LookasideBase, type LookasideReference, type RegistriesD } from './registries-d.js';

export interface LookasideOptions {
  /** The registries.d directory (`--registries.d DIR`); default the user's, else the system's (see `registriesDirPath`). */
  registriesDir?: string;
  /** A configuration already read (`loadRegistriesD`); `registriesDir` is then ignored. */
  registries?: RegistriesD;
  /** The home directory for the per-user defaults (default `os.homedir()`). */
  home?: string;
  /** The image as it is named in a registry (`registry.example.org/team/app:1.2`, `busybox`); it picks the registries.d scope. */
  reference: string;
  /** The digest of the manifest the signatures are for (`sha256:…`). */
  manifestDigest: string;
}

export type GetSimpleSignaturesOptions = LookasideOptions & ReadLookasideOptions;

export interface SimpleSignatures {
  /** The signature blobs, in storage order. */
  signatures: LookasideSignature[];
  /** The storage configured for the reference. */
  base: LookasideBase;
  /** Where the signatures were looked for: `BASE/REPO@ALGO=HEX` (without credentials). */
  location: string;
}

export interface PutSimpleSignatureOptions extends LookasideOptions {
  /** The OpenPGP signed message (what `signSimple` returns as `signature`). */
  signature: Uint8Array;
}

export interface PutSimpleSignatureResult {
  /** Its N in `signature-N`. */
  index: number;
  /** The file written. */
  location: string;
  /** The staging (or lookaside) storage configured for the reference. */
  base: LookasideBase;
}

/** The reference parsed, its digest (if any) checked against the manifest digest. */
function prepare(options: LookasideOptions): LookasideReference {
  const ref = parseLookasideReference(options.reference);
  let digest;
  try {
    digest = parseDigest(options.manifestDigest);
  } catch (err) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `manifest digest ${JSON.stringify(options.manifestDigest)} is not a digest: ${(err as Error).message}`, { cause: err });
  }
  if (ref.digest !== undefined && ref.digest !== `${digest.algorithm}:${digest.encoded}`) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `the reference names digest ${ref.digest}, but the manifest digest given is ${options.manifestDigest}`);
  }
  return ref;
}

async function registriesOf(options: LookasideOptions): Promise<RegistriesD> {
  return (
    options.registries ??
    loadRegistriesD({ ...(options.registriesDir !== undefined && { registriesDir: options.registriesDir }), ...(options.home !== undefined && { home: options.home }) })
  );
}

/**
 * The simple signatures stored for an image in the lookaside storage that
 * registries.d configures for reading (`lookaside`) for `reference`. An
 * empty list when there are none.
 * @throws SignatureError ConfigInvalid (registries.d), InvalidArgument, StorageInvalid, StorageUnavailable
 */
export async function getSimpleSignatures(options: GetSimpleSignaturesOptions): Promise<SimpleSignatures> {
  const ref = prepare(options);
  const base = resolveLookasideBase(await registriesOf(options), ref, { write: false, ...(options.home !== undefined && { home: options.home }) });
  const signatures = await readLookasideSignatures(base.url, ref.path, options.manifestDigest, options);
  return { signatures, base, location: redactedUrl(lookasideDirectoryUrl(base.url, ref.path, options.manifestDigest)) };
}

/**
 * Store a simple signature for an image in the lookaside storage that
 * registries.d configures for writing for `reference` (`lookaside-staging`,
 * else `lookaside`), after the signatures already there.
 * @throws SignatureError ConfigInvalid (registries.d, or storage that is not a file:// URL), InvalidArgument, StorageInvalid, StorageUnavailable
 */
export async function putSimpleSignature(options: PutSimpleSignatureOptions): Promise<PutSimpleSignatureResult> {
  const ref = prepare(options);
  const base = resolveLookasideBase(await registriesOf(options), ref, { write: true, ...(options.home !== undefined && { home: options.home }) });
  const written = await writeLookasideSignature(base.url, ref.path, options.manifestDigest, options.signature);
  return { ...written, base };
}
