import path from 'node:path';
import { parseCosignPayload, parseSimpleSigningPayload, signImageCosign, signImageSimple, signLayoutImageCosign, signLayoutImageSimple } from '@ocikit/signature';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { PASSPHRASE_FLAGS } from '../passphrase.js';
import { REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';
import { openSignedImage } from '../signed-image.js';
import { openSigningKey } from '../signing-key.js';

const usage = `Usage: ocikit sign (--key KEY | --sign-by FPR | --gpg-key FILE) [--passphrase-file FILE]
                   [--identity REF] [-a KEY=VALUE ...] [--registries.d DIR] [--json]
                   [registry flags] IMAGE

IMAGE is docker://HOST[:PORT]/REPO[:TAG|@DIGEST] (TAG defaults to latest),
oci:PATH[:REF] or oci-archive:PATH[:REF] (REF defaults to latest). An
oci-archive is rewritten whole to add a signature, under its lock, its
entries dated $SOURCE_DATE_EPOCH (else now).

Sign the digest IMAGE resolves to now, and the identity it is signed for:
HOST/REPO:TAG (or HOST/REPO@DIGEST), or --identity REF, which an image in a
layout needs. Prints the digest signed and the identity.

Two formats, by the key given:
  --key KEY        cosign's: ECDSA P-256 over cosign's simple signing
                   payload, KEY an encrypted cosign private key ("ocikit key
                   generate", or cosign's generate-key-pair). In a registry it
                   is stored as "cosign sign --key" stores it, under the tag
                   sha256-HEX.sig; the signatures already there are kept.
  --sign-by FPR    containers/image simple signing, as "skopeo copy --sign-by"
                   and podman sign: OpenPGP by the key FPR of your GnuPG
                   keyring (GNUPGHOME honoured), through gpg
  --gpg-key FILE   the same format, signed with the armored OpenPGP secret
                   key in FILE (no gpg needed)
  In a registry, simple signatures are stored where skopeo and podman look:
  the lookaside storage registries.d names for the image (lookaside-staging,
  else lookaside), as signature-N. In a layout, either format is a referrer
  of the image: an artifact whose subject is the image, in the layout's
  index.json. Signing the same again with a cosign key adds nothing.

  --passphrase-file FILE  the key's passphrase is the first line of FILE; for
                          --key else $COSIGN_PASSWORD, else it is asked for on
                          a terminal; for --sign-by else gpg-agent asks; for
                          --gpg-key it is asked for when the key is encrypted
  --identity REF          sign for REF (HOST/REPO:TAG or HOST/REPO@DIGEST)
  -a, --annotations K=V   put K: V in the payload's "optional" object (repeatable)
  --registries.d DIR      read registries.d from DIR, not from
                          ~/.config/containers/registries.d, else
                          /etc/containers/registries.d
  --json                  print the result as JSON, and errors as JSON

Registry flags:
${registryFlagsHelp()}

Exit status: 0 signed; 1 a registry error (MANIFEST_UNKNOWN, UNAUTHORIZED,
DENIED, REGISTRY_TLS, REGISTRY_NETWORK, ...), storage that holds something
else (SIGNATURE_STORAGE_INVALID) or cannot be written
(SIGNATURE_STORAGE_UNAVAILABLE, SIGNATURE_CONFIG_INVALID), gpg failing
(SIGNATURE_GPG_FAILED); 2 usage error, a passphrase that does not open KEY
(SIGNATURE_WRONG_PASSPHRASE), or a KEY that is no key of the kind named
(SIGNATURE_KEY_INVALID).
`;

const options = {
  ...flags('string', 'key', 'sign-by', 'gpg-key', 'identity', 'registries.d'),
  annotations: { type: 'string', short: 'a', multiple: true },
  ...PASSPHRASE_FLAGS,
  ...flags('boolean', 'json'),
  ...REGISTRY_FLAGS,
} as const;

/** `-a K=V` flags as the payload's `optional` object; a key given twice is refused rather than silently dropped. */
function annotationsOf(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`sign: --annotations takes KEY=VALUE, not ${JSON.stringify(item)}`);
    const key = item.slice(0, eq);
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new UsageError(`sign: --annotations names ${JSON.stringify(key)} twice`);
    out[key] = item.slice(eq + 1);
  }
  return out;
}

export const command = defineCommand('sign', { summary: 'sign an image with a cosign key or OpenPGP (like cosign sign, skopeo --sign-by)', usage, options }, async ({ values, positionals }, io) => {
  const annotations = annotationsOf(values.annotations);
  const optional = Object.keys(annotations).length > 0 ? { optional: annotations } : {};
  const signing = (await openSigningKey(
    'sign',
    { cosignKey: values.key, signBy: values['sign-by'], gpgKey: values['gpg-key'], passphraseFile: values['passphrase-file'] },
    { cosignKey: 'key', signBy: 'sign-by', gpgKey: 'gpg-key', passphraseFile: 'passphrase-file' },
    io,
    true,
  ))!;
  const image = await openSignedImage('sign', values, positionals, io, true);
  try {
    let result: { digest: string; identity: string; format: string; added: boolean; signatures: number; stored: string; signatureTag?: string; location?: string; signatureManifest?: string };
    const count = (n: number) => `${n} signature${n === 1 ? '' : 's'}`;
    const inLayout = (n: number) => `${count(n)} as referrers in the layout's index`;
    if (signing.format === 'cosign' && image.kind === 'registry') {
      const signed = await signImageCosign({ repository: image.repository, reference: image.reference, privateKey: signing.key, dockerReference: image.identity, ...optional });
      const identity = parseCosignPayload(signed.payload).dockerReference;
      result = { digest: signed.manifestDigest, identity, format: signing.format, added: signed.added, signatures: signed.signatureCount, stored: `${count(signed.signatureCount)} under tag ${signed.signatureTag}`, signatureTag: signed.signatureTag };
    } else if (signing.format === 'cosign' && image.kind === 'layout') {
      const signed = await image.withLayout((layout) => signLayoutImageCosign({ layout, reference: image.reference, privateKey: signing.key, dockerReference: image.identity, ...optional }));
      const identity = parseCosignPayload(signed.payload).dockerReference;
      result = { digest: signed.manifestDigest, identity, format: signing.format, added: signed.added, signatures: signed.signatureCount, stored: inLayout(signed.signatureCount), signatureManifest: signed.signatureManifest.digest };
    } else if (signing.format === 'simple-signing' && image.kind === 'registry') {
      const registriesDir = values['registries.d'] !== undefined ? path.resolve(io.cwd, values['registries.d']) : undefined;
      const signed = await signImageSimple({
        repository: image.repository,
        reference: image.reference,
        name: image.name,
        dockerReference: image.identity,
        signer: signing.signer,
        ...(registriesDir !== undefined && { registriesDir }),
        ...optional,
      });
      const identity = parseSimpleSigningPayload(signed.payload).dockerReference;
      result = { digest: signed.manifestDigest, identity, format: signing.format, added: true, signatures: signed.index, stored: `stored as ${signed.location}`, location: signed.location };
    } else {
      if (image.kind !== 'layout' || signing.format !== 'simple-signing') throw new Error('unreachable');
      const dockerReference = image.identity;
      const signed = await image.withLayout((layout) => signLayoutImageSimple({ layout, reference: image.reference, dockerReference, signer: signing.signer, ...optional }));
      const identity = parseSimpleSigningPayload(signed.payload).dockerReference;
      result = { digest: signed.manifestDigest, identity, format: signing.format, added: true, signatures: signed.signatureCount, stored: inLayout(signed.signatureCount), signatureManifest: signed.signatureManifest.digest };
    }
    if (values.json === true) {
      const { stored: _text, ...json } = result;
      await write(io.stdout, `${JSON.stringify({ ...json, annotations })}\n`);
    } else {
      await write(
        io.stdout,
        result.added
          ? `signed ${result.digest} as ${result.identity}: ${result.stored}\n`
          : `${result.digest} as ${result.identity} already carries this key's signature: nothing added (${result.stored})\n`,
      );
    }
    return ExitCode.Ok;
  } finally {
    image.close();
  }
});
