import path from 'node:path';
import { IdentityPolicy, readCosignPublicKey, verifyImageCosign, verifyImageSimple, verifyLayoutImageCosign, verifyLayoutImageSimple } from '@ocikit/signature';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';
import { openSignedImage } from '../signed-image.js';

const usage = `Usage: ocikit verify (--key PUB | --gpg-key PUB.asc) [--identity REF] [--match-repository]
                     [--registries.d DIR] [--json] [registry flags] IMAGE

IMAGE is docker://HOST[:PORT]/REPO[:TAG|@DIGEST] (TAG defaults to latest),
oci:PATH[:REF] or oci-archive:PATH[:REF] (REF defaults to latest).

Verify IMAGE's signatures: IMAGE is resolved now, and at least one stored
signature must verify under the key given (checked before anything in its
payload is believed), and its payload must have the format's type, name
the digest resolved, and name the identity: exactly HOST/REPO:TAG (for
@DIGEST, any reference in the repository), or --identity REF, which an
image in a layout needs; with --match-repository any reference in that
repository. Prints the digest and each signature that verified: the
identity it was signed for, and its annotations.

  --key PUB             cosign's format, PUB a cosign public key (PEM, ECDSA
                        P-256). In a registry, the signatures under the tag
                        sha256-HEX.sig (as cosign stores them) and those among
                        the image's referrers; in a layout, its referrers.
  --gpg-key PUB.asc     containers/image simple signing (skopeo --sign-by,
                        podman sign), PUB.asc armored OpenPGP public keys (every
                        key in the file is trusted, nothing else). In a
                        registry, the lookaside storage registries.d names for
                        the image; in a layout, its referrers.
  --identity REF        the identity signatures must name
  --match-repository    accept a signature for any tag or digest of the
                        repository; signatures made by cosign's defaults name
                        the repository only and need it
  --registries.d DIR    read registries.d from DIR, not from
                        ~/.config/containers/registries.d, else
                        /etc/containers/registries.d
  --json                print {"digest", "format", "signatures", "verified":
                        [{"identity", "annotations", ...}]}, and errors as JSON

Registry flags:
${registryFlagsHelp()}

Exit status: 0 at least one signature verified; 1 none did, in one line
with the reason of the signature that came closest: unsigned
(SIGNATURE_NOT_FOUND), another key or a changed signature (SIGNATURE_BAD,
SIGNATURE_UNTRUSTED_KEY), an expired or revoked key
(SIGNATURE_KEY_EXPIRED_OR_REVOKED), a payload for another image
(SIGNATURE_DIGEST_MISMATCH) or another name (SIGNATURE_IDENTITY_MISMATCH),
not the format's (SIGNATURE_WRONG_TYPE, SIGNATURE_PAYLOAD_INVALID); or a
registry error; 2 usage error, or a PUB that is no public key of the kind
named (SIGNATURE_KEY_INVALID).
`;

const options = { ...flags('string', 'key', 'gpg-key', 'identity', 'registries.d'), ...flags('boolean', 'match-repository', 'json'), ...REGISTRY_FLAGS } as const;

/** One signature that verified, as printed. */
interface Shown {
  identity: string;
  annotations: Record<string, unknown>;
  signature?: string;
  signingKeyFingerprint?: string;
}

export const command = defineCommand('verify', { summary: "verify an image's signatures (cosign format, or OpenPGP simple signing)", usage, options }, async ({ values, positionals }, io) => {
  if ((values.key === undefined) === (values['gpg-key'] === undefined)) {
    throw new UsageError('verify: give exactly one of --key PUB (a cosign public key) or --gpg-key PUB.asc (OpenPGP public keys)');
  }
  const identityPolicy = values['match-repository'] === true ? { identityPolicy: IdentityPolicy.MatchRepository } : {};
  const keyName = (values.key ?? values['gpg-key'])!;
  // Read before the image is opened: a key that is no key costs no network round trip.
  const publicKey = values.key !== undefined ? await readCosignPublicKey(path.resolve(io.cwd, values.key)) : undefined;
  const trustedKeys = values['gpg-key'] !== undefined ? { keyFiles: [path.resolve(io.cwd, values['gpg-key'])] } : undefined;
  const image = await openSignedImage('verify', values, positionals, io, false);
  try {
    let result: { digest: string; format: string; signatures: number; verified: Shown[]; signatureTag?: string; location?: string };
    if (publicKey !== undefined) {
      const common = { reference: image.reference, publicKey, ...identityPolicy };
      const shown = (got: { manifestDigest: string; signatureCount: number; verified: { payload: { dockerReference: string; optional: Record<string, unknown> }; signature: string }[] }) => ({
        digest: got.manifestDigest,
        format: 'cosign',
        signatures: got.signatureCount,
        verified: got.verified.map((v) => ({ identity: v.payload.dockerReference, annotations: v.payload.optional, signature: v.signature })),
      });
      if (image.kind === 'registry') {
        const got = await verifyImageCosign({ repository: image.repository, expectedReference: image.identity, ...common });
        result = { ...shown(got), signatureTag: got.signatureTag };
      } else {
        result = shown(await image.withLayout((layout) => verifyLayoutImageCosign({ layout, expectedReference: image.identity, ...common })));
      }
    } else {
      const registriesDir = values['registries.d'] !== undefined ? path.resolve(io.cwd, values['registries.d']) : undefined;
      const common = { reference: image.reference, trustedKeys: trustedKeys!, ...identityPolicy };
      const got =
        image.kind === 'registry'
          ? await verifyImageSimple({ repository: image.repository, name: image.name, expectedReference: image.identity, ...(registriesDir !== undefined && { registriesDir }), ...common })
          : await image.withLayout((layout) => verifyLayoutImageSimple({ layout, expectedReference: image.identity, ...common }));
      result = {
        digest: got.manifestDigest,
        format: 'simple-signing',
        signatures: got.signatureCount,
        // creator and timestamp are the format's own fields of `optional`, not annotations a signer chose.
        verified: got.verified.map((v) => {
          const { creator: _creator, timestamp: _timestamp, ...annotations } = v.payload.optional;
          return { identity: v.payload.dockerReference, annotations, signingKeyFingerprint: v.signingKeyFingerprint };
        }),
        ...('location' in got && { location: got.location }),
      };
    }
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify(result)}\n`);
      return ExitCode.Ok;
    }
    // Annotations are printed as JSON: whatever a signer put there reaches the terminal quoted.
    const lines = [
      `verified ${result.digest} with ${keyName}: ${result.verified.length} of ${result.signatures} signature${result.signatures === 1 ? '' : 's'}`,
      ...result.verified.map(
        (v) =>
          `  ${v.identity}${v.signingKeyFingerprint !== undefined ? `  key ${v.signingKeyFingerprint}` : ''}${Object.keys(v.annotations).length > 0 ? `  annotations ${JSON.stringify(v.annotations)}` : ''}`,
      ),
    ];
    await write(io.stdout, `${lines.join('\n')}\n`);
    return ExitCode.Ok;
  } finally {
    image.close();
  }
});
