import path from 'node:path';
import { IdentityPolicy, readCosignPublicKey, verifyImageCosign } from '@ocikit/signature';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { openRepository, REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';
import { registryImage } from './sign.js';

const usage = `Usage: ocikit verify --key PUB [--match-repository] [--json] [registry flags] IMAGE

IMAGE is docker://HOST[:PORT]/REPO[:TAG|@DIGEST] (TAG defaults to latest).
Only registries hold cosign signatures so far: oci: and oci-archive:
images are refused.

Verify IMAGE's cosign signatures (as "cosign sign --key" stores them,
under the tag sha256-HEX.sig): a tag is resolved now, and at least one
stored signature must verify under PUB (ECDSA P-256 over the payload's
bytes, checked before anything in the payload is believed), and its
payload must have cosign's type, name the digest resolved, and name the
identity: exactly HOST/REPO:TAG (for @DIGEST, any reference in the
repository), or with --match-repository any reference in HOST/REPO.
Prints the digest and each signature that verified: the identity it was
signed for, and its annotations.

  --key PUB             the cosign public key to trust (PEM, ECDSA P-256)
  --match-repository    accept a signature for any tag or digest of the
                        repository; signatures made by cosign's defaults name
                        the repository only and need it
  --json                print {"digest", "signatureTag", "signatures",
                        "verified": [{"identity", "annotations", "signature"}]},
                        and errors as JSON

Registry flags:
${registryFlagsHelp()}

Exit status: 0 at least one signature verified; 1 none did, in one line
with the reason of the signature that came closest: unsigned
(SIGNATURE_NOT_FOUND), another key or a changed payload (SIGNATURE_BAD), a
payload for another image (SIGNATURE_DIGEST_MISMATCH) or another name
(SIGNATURE_IDENTITY_MISMATCH), not cosign's (SIGNATURE_WRONG_TYPE,
SIGNATURE_PAYLOAD_INVALID); or a registry error; 2 usage error, or a PUB
that is no ECDSA P-256 public key (SIGNATURE_KEY_INVALID).
`;

const options = { key: { type: 'string' }, ...flags('boolean', 'match-repository', 'json'), ...REGISTRY_FLAGS } as const;

export const command = defineCommand('verify', { summary: "verify an image's cosign signatures in a registry (like cosign verify --key)", usage, options }, async ({ values, positionals }, io) => {
  const ref = registryImage('verify', positionals);
  if (values.key === undefined) throw new UsageError('verify: --key PUB is required (a cosign public key)');
  const publicKey = await readCosignPublicKey(path.resolve(io.cwd, values.key));
  const { repository, reference, client } = await openRepository('verify', values, ref, io);
  try {
    const result = await verifyImageCosign({
      repository,
      reference,
      publicKey,
      ...(values['match-repository'] === true && { identityPolicy: IdentityPolicy.MatchRepository }),
    });
    const verified = result.verified.map((v) => ({ identity: v.payload.dockerReference, annotations: v.payload.optional, signature: v.signature }));
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify({ digest: result.manifestDigest, signatureTag: result.signatureTag, signatures: result.signatureCount, verified })}\n`);
      return ExitCode.Ok;
    }
    // Annotations are printed as JSON: whatever a signer put there reaches the terminal quoted.
    const lines = [
      `verified ${result.manifestDigest} with ${values.key}: ${verified.length} of ${result.signatureCount} signature${result.signatureCount === 1 ? '' : 's'}`,
      ...verified.map((v) => `  ${v.identity}${Object.keys(v.annotations).length > 0 ? `  annotations ${JSON.stringify(v.annotations)}` : ''}`),
    ];
    await write(io.stdout, `${lines.join('\n')}\n`);
    return ExitCode.Ok;
  } finally {
    client.close();
  }
});
