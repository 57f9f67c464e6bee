/**
 * containers/image simple signatures of images where they live:
 *
 * - in a registry, in the lookaside storage registries.d names for the
 *   image (where `skopeo copy --sign-by` writes and podman reads), keyed by
 *   repository and manifest digest;
 * - in an OCI layout, where containers/image stores none, as referrers: one
 *   artifact per signature (SIMPLE_SIGNATURE_ARTIFACT_TYPE), its one layer
 *   the OpenPGP signed message exactly as lookaside storage would hold it
 *   (SIMPLE_SIGNATURE_LAYER_MEDIA_TYPE), listed in index.json.
 *
 * Signing signs the digest a reference names now. Verifying checks every
 * stored signature and succeeds when one verifies; nothing in a payload is
 * believed before its OpenPGP signature verifies.
 */
import type { Digest } from '@ocikit/digest';
import type { Repository } from '@ocikit/distribution';
import type { Layout } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { LOOKASIDE_SPEC, SIMPLE_SIGNING_SPEC } from '../errors.js';
import { listLayoutSignatureArtifacts, putLayoutSignatureArtifact, readLayoutArtifactLayer } from '../layout/artifacts.js';
import { openLayout, readImageManifest } from '../layout/image.js';
import { MAX_LOOKASIDE_SIGNATURE_BYTES } from '../lookaside/lookaside.js';
import { getSimpleSignatures, putSimpleSignature } from '../lookaside/signatures.js';
import type { RegistriesD } from '../lookaside/registries-d.js';
import { verifyEach } from '../verify-each.js';
import type { GpgOptions, TrustedKeys } from './gpg.js';
import { signSimple, verifySimpleSignature, type IdentityPolicy, type VerifiedSimpleSignature } from './verify.js';

/** The artifact type of a simple signature stored as a referrer in a layout (ocikit's: no other tool stores them there). */
export const SIMPLE_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.ocikit.simple-signing.signature.v1';

/** The media type of its layer: an OpenPGP signed message over a simple signing payload (containers-signature.5.md). */
export const SIMPLE_SIGNATURE_LAYER_MEDIA_TYPE = 'application/vnd.ocikit.simple-signing.signature.v1+pgp';

/** Who signs: a key of the GnuPG keyring (through gpg), or an OpenPGP secret key file (through openpgp.js). */
export type SimpleSigner = ({ signBy: string; passphraseFile?: string } & GpgOptions) | { keyFile: string; passphrase?: string };

/** Where registries.d is read from (lookaside storage, registries only). */
export interface RegistriesDOptions {
  /** The registries.d directory (`--registries.d DIR`); default the user's, else the system's. */
  registriesDir?: string;
  /** A configuration already read; `registriesDir` is then ignored. */
  registries?: RegistriesD;
  /** The home directory for the per-user defaults (default `os.homedir()`). */
  home?: string;
}

interface SignOptionsBase {
  /** The identity to sign for (`registry/repository:tag` or `…@sha256:…`). */
  dockerReference: string;
  signer: SimpleSigner;
  /** `optional` entries of the payload (annotations). */
  optional?: Record<string, unknown>;
}

interface VerifyOptionsBase {
  /** The identity a signature must name. */
  expectedReference: string;
  /** Which OpenPGP keys to trust. */
  trustedKeys: TrustedKeys;
  /** How the signed identity must match; default matchRepoDigestOrExact. */
  identityPolicy?: IdentityPolicy;
}

export interface SignImageSimpleOptions extends SignOptionsBase, RegistriesDOptions {
  repository: Repository;
  /** The image: a tag or digest in the repository, resolved now. */
  reference: string;
  /** The image as named in its registry (`registry/repository:tag`); it picks the registries.d scope. */
  name: string;
}

export interface SignedImageSimple {
  manifestDigest: Digest;
  payload: Uint8Array;
  /** The OpenPGP signed message stored. */
  signature: Uint8Array;
  /** Its N in `signature-N`. */
  index: number;
  /** Where it was written (a path; no credentials). */
  location: string;
}

/**
 * Sign an image in a registry with simple signing, storing the signature in
 * the lookaside storage registries.d names for writing (`lookaside-staging`,
 * else `lookaside`), after those already there.
 * @throws SignatureError (signing, storage, registries.d); RegistryError from the registry
 */
export async function signImageSimple(options: SignImageSimpleOptions): Promise<SignedImageSimple> {
  const image = await options.repository.getManifest(options.reference);
  const signed = await signSimple({ manifest: image.bytes, dockerReference: options.dockerReference, ...options.signer, ...(options.optional !== undefined && { optional: options.optional }) });
  const put = await putSimpleSignature({ ...registriesDOf(options), reference: options.name, manifestDigest: signed.manifestDigest, signature: signed.signature });
  return { manifestDigest: signed.manifestDigest, payload: signed.payload, signature: signed.signature, index: put.index, location: put.location };
}

export interface VerifyImageSimpleOptions extends VerifyOptionsBase, RegistriesDOptions {
  repository: Repository;
  reference: string;
  /** The image as named in its registry; it picks the registries.d scope. */
  name: string;
}

export interface VerifiedImageSimple {
  manifestDigest: Digest;
  /** Every signature that verified (at least one). */
  verified: VerifiedSimpleSignature[];
  signatureCount: number;
  /** Where the signatures were read (without credentials). */
  location: string;
}

/**
 * Verify an image's simple signatures in the lookaside storage registries.d
 * names for reading: at least one must verify.
 * @throws SignatureError NotSigned when none is stored; when none verifies,
 *   the refusal of the one that came closest; RegistryError from the registry
 */
export async function verifyImageSimple(options: VerifyImageSimpleOptions): Promise<VerifiedImageSimple> {
  const image = await options.repository.getManifest(options.reference);
  const manifestDigest = image.descriptor.digest as Digest;
  const stored = await getSimpleSignatures({ ...registriesDOf(options), reference: options.name, manifestDigest });
  const verified = await verifyEach(stored.signatures, (s) => verifyOne(s.signature, image.bytes, options), {
    format: 'simple',
    image: `${options.name.replace(/[:@][^/]*$/, '')}@${manifestDigest}`,
    lookedIn: `nothing at ${stored.location}`,
    ref: LOOKASIDE_SPEC,
  });
  return { manifestDigest, verified, signatureCount: stored.signatures.length, location: stored.location };
}

export interface SignLayoutImageSimpleOptions extends SignOptionsBase {
  /** The layout holding the image (a Layout, or its directory). */
  layout: Layout | string;
  /** A name in index.json or a digest. */
  reference: string;
}

export interface SignedLayoutImageSimple {
  manifestDigest: Digest;
  payload: Uint8Array;
  signature: Uint8Array;
  /** The signature artifact written. */
  signatureManifest: Descriptor;
  /** How many simple signatures the layout holds for the image now. */
  signatureCount: number;
  added: boolean;
}

/**
 * Sign an image in a layout with simple signing, adding one referrer.
 * @throws SignatureError (signing, storage); BundleError from the layout
 */
export async function signLayoutImageSimple(options: SignLayoutImageSimpleOptions): Promise<SignedLayoutImageSimple> {
  const layout = await openLayout(options.layout);
  const image = await readImageManifest(layout, options.reference);
  const signed = await signSimple({ manifest: image.bytes, dockerReference: options.dockerReference, ...options.signer, ...(options.optional !== undefined && { optional: options.optional }) });
  const put = await putLayoutSignatureArtifact(layout, {
    subject: image.descriptor,
    artifactType: SIMPLE_SIGNATURE_ARTIFACT_TYPE,
    layers: [{ mediaType: SIMPLE_SIGNATURE_LAYER_MEDIA_TYPE, bytes: signed.signature }],
  });
  return {
    manifestDigest: signed.manifestDigest,
    payload: signed.payload,
    signature: signed.signature,
    signatureManifest: put.descriptor,
    signatureCount: put.artifacts.length,
    added: put.added,
  };
}

export interface VerifyLayoutImageSimpleOptions extends VerifyOptionsBase {
  layout: Layout | string;
  reference: string;
}

export interface VerifiedLayoutImageSimple {
  manifestDigest: Digest;
  verified: VerifiedSimpleSignature[];
  signatureCount: number;
  signatureManifests: Descriptor[];
}

/**
 * Verify an image's simple signatures stored as referrers in a layout: at least one must verify.
 * @throws SignatureError NotSigned, the closest refusal, StorageInvalid; BundleError from the layout
 */
export async function verifyLayoutImageSimple(options: VerifyLayoutImageSimpleOptions): Promise<VerifiedLayoutImageSimple> {
  const layout = await openLayout(options.layout);
  const image = await readImageManifest(layout, options.reference);
  const manifestDigest = image.descriptor.digest as Digest;
  const artifacts = await listLayoutSignatureArtifacts(layout, manifestDigest, SIMPLE_SIGNATURE_ARTIFACT_TYPE);
  const layers = artifacts.flatMap((a) => a.manifest.layers.filter((l) => l.mediaType === SIMPLE_SIGNATURE_LAYER_MEDIA_TYPE));
  const verified = await verifyEach(layers, async (layer) => verifyOne(await readLayoutArtifactLayer(layout, layer, MAX_LOOKASIDE_SIGNATURE_BYTES.value), image.bytes, options), {
    format: 'simple',
    image: `layout ${layout.dir}@${manifestDigest}`,
    lookedIn: `no referrer of type ${SIMPLE_SIGNATURE_ARTIFACT_TYPE}`,
    ref: SIMPLE_SIGNING_SPEC,
  });
  return { manifestDigest, verified, signatureCount: layers.length, signatureManifests: artifacts.map((a) => a.descriptor) };
}

function verifyOne(signature: Uint8Array, manifest: Uint8Array, options: VerifyOptionsBase): Promise<VerifiedSimpleSignature> {
  return verifySimpleSignature({
    signature,
    manifest,
    expectedReference: options.expectedReference,
    trustedKeys: options.trustedKeys,
    ...(options.identityPolicy !== undefined && { identityPolicy: options.identityPolicy }),
  });
}

function registriesDOf(options: RegistriesDOptions): RegistriesDOptions {
  return {
    ...(options.registriesDir !== undefined && { registriesDir: options.registriesDir }),
    ...(options.registries !== undefined && { registries: options.registries }),
    ...(options.home !== undefined && { home: options.home }),
  };
}
