import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { RegistryClient } from '@ocikit/distribution';
import { parsePlatform } from '@ocikit/image-spec';
import { copy, parseTransportReference, registryOpener, TransportError, TransportName, type CopyProgress, type DockerReference, type TransportReference } from '@ocikit/transport';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type CommandIO } from '../io.js';
import { readPassphrase } from '../passphrase.js';
import { defineCommand, flags } from '../options.js';
import { bar, bytes, progressLine } from '../progress.js';
import { COPY_REGISTRY_FLAGS, registryClientOptions, registryFlagsHelp } from '../registry-options.js';

const usage = `Usage: ocikit copy [--platform OS/ARCH[/VARIANT]] [--referrers] [--jobs N] [--sign-key KEY] [--json] [REGISTRY FLAGS] SRC DST

Copy an image between places images live (like skopeo copy and crane copy):
every blob and manifest byte for byte, so digests never change, each blob
verified against its digest and size as it streams, before it is kept. An index is copied whole
(every platform) unless --platform picks one of its manifests.

SRC and DST are references with their transport:
  oci:PATH[:REF]         an image layout directory (DST is created if missing)
  oci:PATH@DIGEST        a manifest or index in a layout, by digest (SRC only)
  oci-archive:PATH[:REF] an image layout in a tar file
  docker://HOST[:PORT]/REPO[:TAG|@DIGEST]
                         an image in a registry (distribution-spec); TAG
                         defaults to latest, docker://busybox is
                         docker.io/library/busybox:latest
REF defaults to latest.

  --platform P   copy only the manifest for platform P out of an index
  --referrers    also copy what refers to each manifest (signatures, SBOMs), recursively
  --jobs N       blobs transferred at once (default 4)
  --sign-key KEY sign the copy in DST (a registry) with a cosign private key, as
                 "ocikit sign --key KEY" does, once every byte is in; the key is
                 opened before anything is copied
  --sign-passphrase-file FILE
                 KEY's passphrase is the first line of FILE (else $COSIGN_PASSWORD,
                 else it is asked for on a terminal)
  --json         print the result as JSON (with "signature" when signed)

Registry flags (as skopeo's), for both sides, or one side with --src-/--dest-:
${registryFlagsHelp(false)}
  --src-tls-verify[=BOOL], --src-creds USER[:PASS], --src-no-creds,
  --src-authfile FILE, --src-cert-dir DIR        the same, for SRC only
  --dest-tls-verify[=BOOL], --dest-creds USER[:PASS], --dest-no-creds,
  --dest-authfile FILE, --dest-cert-dir DIR      the same, for DST only
Without --creds, credentials come from the auth file that skopeo login,
podman login and docker login write (anonymous when none is found).

An oci-archive written is dated SOURCE_DATE_EPOCH when set (else now), so the
same copy makes the same archive. Blobs the destination has are skipped;
between two repositories of one registry they are mounted, not uploaded.
DST is named only when everything is in: a failed copy leaves its index.json
(or archive file) as it was, and a registry's tag where it pointed.
Exit status: 0 copied, 1 the image was refused (invalid, corrupt, no such
platform) or the registry refused (credentials, permission, no such
repository or tag, TLS), 2 usage error or unreadable path.
`;

const options = {
  ...flags('string', 'platform', 'jobs', 'sign-key', 'sign-passphrase-file'),
  ...flags('boolean', 'referrers', 'json'),
  ...COPY_REGISTRY_FLAGS,
} as const;

/** A reference from the command line; a mistake in one is a usage error. */
function reference(text: string, side: 'SRC' | 'DST'): TransportReference {
  let ref: TransportReference;
  try {
    ref = parseTransportReference(text);
  } catch (err) {
    if (err instanceof TransportError) throw new UsageError(`copy: ${side} ${err.message}`, { cause: err });
    throw err;
  }
  return ref;
}

function jobsOption(value: string | undefined): number {
  if (value === undefined) return 4;
  const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1)) throw new UsageError(`copy: --jobs must be a whole number of at least 1, not ${JSON.stringify(value)}`);
  return n;
}

/**
 * Sign what was copied to `dest`: the digest the copy wrote (never what the
 * tag names by the time this runs), for the identity DST names.
 */
async function signCopy(dest: DockerReference, key: KeyObject, digest: string, values: Record<string, unknown>, io: CommandIO) {
  const { parseCosignPayload, signImageCosign } = await import('@ocikit/signature');
  const { domain, path: name, tag, digest: pinned } = dest.reference;
  const client = new RegistryClient(domain, await registryClientOptions('copy', values, domain, 'dest', io));
  try {
    const signed = await signImageCosign({
      repository: client.repository(name),
      reference: digest,
      privateKey: key,
      dockerReference: `${domain}/${name}${pinned !== undefined ? `@${pinned}` : `:${tag ?? 'latest'}`}`,
    });
    return { digest: signed.manifestDigest, identity: parseCosignPayload(signed.payload).dockerReference, signatureTag: signed.signatureTag, signatures: signed.signatureCount, added: signed.added };
  } finally {
    client.close();
  }
}

export const command = defineCommand('copy', { summary: 'copy an image between layouts, oci-archives and registries, byte for byte (like skopeo copy)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 2) throw new UsageError('copy: name SRC and DST');
  const from = reference(positionals[0]!, 'SRC');
  const to = reference(positionals[1]!, 'DST');
  const jobs = jobsOption(values.jobs);
  if (values.platform !== undefined) {
    try {
      parsePlatform(values.platform);
    } catch {
      throw new UsageError(`copy: --platform must be OS/ARCH[/VARIANT] (e.g. linux/arm64/v8), not ${JSON.stringify(values.platform)}`);
    }
  }
  if (values['sign-passphrase-file'] !== undefined && values['sign-key'] === undefined) throw new UsageError('copy: --sign-passphrase-file goes with --sign-key');
  let signer: { key: KeyObject; dest: DockerReference } | undefined;
  if (values['sign-key'] !== undefined) {
    if (to.transport !== TransportName.Docker) throw new UsageError(`copy: --sign-key signs in a registry only; DST ${JSON.stringify(positionals[1])} is not docker://`);
    // The key is opened first: a wrong passphrase costs no copy.
    const passphrase = await readPassphrase('copy', { 'passphrase-file': values['sign-passphrase-file'] }, io);
    // Loaded only to sign: a plain copy does not pay for the signature package at start-up.
    const { readCosignPrivateKey } = await import('@ocikit/signature');
    signer = { key: await readCosignPrivateKey(path.resolve(io.cwd, values['sign-key']), passphrase), dest: to };
  }
  let created: number | undefined;
  const sde = io.env['SOURCE_DATE_EPOCH'];
  if (sde !== undefined && sde !== '') {
    if (!/^[0-9]{1,12}$/.test(sde)) throw new UsageError(`copy: SOURCE_DATE_EPOCH must be whole seconds since the epoch, not ${JSON.stringify(sde)}`);
    created = Number(sde);
  }
  const line = progressLine(io);
  // Parallel blobs: the line shows the one that moved last, and how many are through.
  let finished = 0;
  const onProgress = line
    ? (p: CopyProgress) => {
        if (p.state !== 'copying') finished++;
        const short = p.digest.slice(0, 19);
        line.update(`${finished} blobs through; ${p.state} ${short} ${bar(p.size > 0 ? p.done / p.size : 1)} ${bytes(p.done)}/${bytes(p.size)}`, p.state !== 'copying');
      }
    : undefined;
  // One client per registry and flags; the flags are read only for a side that is a registry.
  const registry = registryOpener((host, side) => registryClientOptions('copy', values, host, side, io));
  try {
    const result = await copy(from, to, {
      registry,
      jobs,
      referrers: values.referrers === true,
      ...(created !== undefined && { created }),
      ...(values.platform !== undefined && { platform: values.platform }),
      ...(onProgress && { onProgress }),
    });
    line?.done();
    const signature = signer && (await signCopy(signer.dest, signer.key, result.descriptor.digest, values, io));
    if (values.json) await write(io.stdout, `${JSON.stringify(signature ? { ...result, signature } : result)}\n`);
    else {
      const { copied, skipped, mounted } = result.blobs;
      const how = [`${copied} blobs copied (${bytes(result.bytes)})`, `${skipped} skipped`, ...(mounted > 0 ? [`${mounted} mounted`] : [])].join(', ');
      await write(io.stdout, `copied ${result.descriptor.digest} to ${positionals[1]}: ${result.manifests} manifest${result.manifests === 1 ? '' : 's'}, ${how}\n`);
      if (signature) await write(io.stdout, `signed ${signature.digest} as ${signature.identity} (${signature.signatures} under tag ${signature.signatureTag})\n`);
    }
    return ExitCode.Ok;
  } finally {
    line?.done();
    registry.close();
  }
});
