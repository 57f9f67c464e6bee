import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { parseCosignPayload, readCosignPrivateKey, signImageCosign } from '@ocikit/signature';
import { parseTransportReference, TransportName, type DockerReference } from '@ocikit/transport';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { PASSPHRASE_FLAGS, PASSPHRASE_HELP, readPassphrase } from '../passphrase.js';
import { openRepository, REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';

const usage = `Usage: ocikit sign --key KEY [--passphrase-file FILE] [-a KEY=VALUE ...] [--json] [registry flags] IMAGE

IMAGE is docker://HOST[:PORT]/REPO[:TAG|@DIGEST] (TAG defaults to latest).
Only registries hold cosign signatures so far: oci: and oci-archive:
images are refused.

Sign IMAGE as "cosign sign --key KEY" does: a tag is resolved now, and the
signature covers that digest and the identity HOST/REPO:TAG (or
HOST/REPO@DIGEST): cosign's simple signing payload, signed with ECDSA
P-256 over SHA-256. It is stored beside the image, under the tag
sha256-HEX.sig of the same repository; signatures already there are kept,
and signing the same again with the same key adds nothing. Prints the
digest signed and the identity.

  --key KEY               the encrypted cosign private key ("ocikit key generate",
                          or cosign's generate-key-pair)
${PASSPHRASE_HELP}
  -a, --annotations K=V   put K: V in the payload's "optional" object (repeatable)
  --json                  print {"digest", "identity", "signatureTag", "signatures",
                          "added", "annotations"}, and errors as JSON

Registry flags:
${registryFlagsHelp()}

Exit status: 0 signed; 1 a registry error (MANIFEST_UNKNOWN, UNAUTHORIZED,
DENIED, REGISTRY_TLS, REGISTRY_NETWORK, ...) or a signature tag holding
something else (SIGNATURE_STORAGE_INVALID); 2 usage error, a passphrase
that does not open KEY (SIGNATURE_WRONG_PASSPHRASE), or a KEY that is no
cosign private key (SIGNATURE_KEY_INVALID).
`;

const options = {
  key: { type: 'string' },
  annotations: { type: 'string', short: 'a', multiple: true },
  ...PASSPHRASE_FLAGS,
  ...flags('boolean', 'json'),
  ...REGISTRY_FLAGS,
} as const;

/** The one positional IMAGE of sign and verify, which must name a registry image. */
export function registryImage(command: string, positionals: string[]): DockerReference {
  if (positionals.length !== 1) throw new UsageError(`${command}: name exactly one IMAGE, docker://HOST[:PORT]/REPO[:TAG|@DIGEST]`);
  const text = positionals[0]!;
  if (!text.startsWith('docker:')) {
    throw new UsageError(`${command}: only registries are supported for cosign signatures so far; expected docker://HOST[:PORT]/REPO[:TAG|@DIGEST], not ${JSON.stringify(text)}`);
  }
  const ref = parseTransportReference(text);
  if (ref.transport !== TransportName.Docker) throw new UsageError(`${command}: ${JSON.stringify(text)} is not a docker:// reference`);
  return ref;
}

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

export const command = defineCommand('sign', { summary: 'sign an image in a registry with a cosign key (like cosign sign --key)', usage, options }, async ({ values, positionals }, io) => {
  const ref = registryImage('sign', positionals);
  if (values.key === undefined) throw new UsageError('sign: --key KEY is required (an encrypted cosign private key)');
  const annotations = annotationsOf(values.annotations);
  const keyFile = path.resolve(io.cwd, values.key);
  // A missing key file is said before a passphrase is asked for; the key is opened before the
  // registry is reached, so a wrong passphrase costs no network round trip.
  accessSync(keyFile, constants.R_OK);
  const privateKey = await readCosignPrivateKey(keyFile, await readPassphrase('sign', values, io));
  const { repository, reference, client } = await openRepository('sign', values, ref, io);
  try {
    const signed = await signImageCosign({ repository, reference, privateKey, ...(Object.keys(annotations).length > 0 && { optional: annotations }) });
    const identity = parseCosignPayload(signed.payload).dockerReference;
    const { manifestDigest: digest, signatureTag, signatureCount: signatures, added } = signed;
    if (values.json === true) {
      await write(io.stdout, `${JSON.stringify({ digest, identity, signatureTag, signatures, added, annotations })}\n`);
    } else {
      const stored = `${signatures} signature${signatures === 1 ? '' : 's'} under tag ${signatureTag}`;
      await write(io.stdout, added ? `signed ${digest} as ${identity}: ${stored}\n` : `${digest} as ${identity} already carries this key's signature: nothing pushed (${stored})\n`);
    }
    return ExitCode.Ok;
  } finally {
    client.close();
  }
});
