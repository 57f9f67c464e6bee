import path from 'node:path';
import type { Layout } from '@ocikit/bundle';
import { RegistryClient } from '@ocikit/distribution';
import { parsePlatform } from '@ocikit/image-spec';
import { copy, parseTransportReference, registryOpener, TransportError, TransportName, type CopyProgress, type TransportReference } from '@ocikit/transport';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type CommandIO } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { bar, bytes, progressLine } from '../progress.js';
import { COPY_REGISTRY_FLAGS, registryClientOptions, registryFlagsHelp } from '../registry-options.js';
import { openSigningKey, type SigningKey } from '../signing-key.js';

const usage = `Usage: ocikit copy [--platform OS/ARCH[/VARIANT]] [--referrers] [--jobs N]
                   [--sign-key KEY | --sign-by FPR | --sign-gpg-key FILE] [--json] [REGISTRY FLAGS] SRC DST

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
  --sign-key KEY sign the copy in DST with a cosign private key, as
                 "ocikit sign --key KEY" does, once every byte is in; the key is
                 opened before anything is copied
  --sign-by FPR  sign it with containers/image simple signing by the GnuPG key
                 FPR, as "skopeo copy --sign-by" does (lookaside storage named
                 by registries.d for a registry; a referrer in a layout)
  --sign-gpg-key FILE
                 the same, with the armored OpenPGP secret key in FILE
  --sign-passphrase-file FILE
                 the key's passphrase is the first line of FILE (for a cosign
                 key else $COSIGN_PASSWORD, else it is asked for on a terminal)
  --sign-identity REF
                 the identity signed for (default DST's HOST/REPO:TAG; DST
                 oci:PATH[:REF] needs it)
  --registries.d DIR
                 read registries.d from DIR (where simple signatures go)
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
  ...flags('string', 'platform', 'jobs', 'sign-key', 'sign-by', 'sign-gpg-key', 'sign-passphrase-file', 'sign-identity', 'registries.d'),
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
 * tag names by the time this runs), for the identity DST names (or
 * --sign-identity).
 */
async function signCopy(dest: TransportReference, signing: SigningKey, digest: string, created: number | undefined, values: Record<string, unknown>, io: CommandIO) {
  const lib = await import('@ocikit/signature');
  const given = values['sign-identity'] as string | undefined;
  const registriesDir = values['registries.d'] !== undefined ? path.resolve(io.cwd, values['registries.d'] as string) : undefined;
  if (dest.transport === TransportName.Docker) {
    const { domain, path: name, tag, digest: pinned } = dest.reference;
    const imageName = `${domain}/${name}${pinned !== undefined ? `@${pinned}` : `:${tag ?? 'latest'}`}`;
    const dockerReference = given ?? imageName;
    const client = new RegistryClient(domain, await registryClientOptions('copy', values, domain, 'dest', io));
    try {
      const repository = client.repository(name);
      if (signing.format === 'cosign') {
        const signed = await lib.signImageCosign({ repository, reference: digest, privateKey: signing.key, dockerReference });
        return { format: signing.format, digest: signed.manifestDigest, identity: lib.parseCosignPayload(signed.payload).dockerReference, stored: `under tag ${signed.signatureTag}`, signatures: signed.signatureCount, added: signed.added };
      }
      const signed = await lib.signImageSimple({ repository, reference: digest, name: imageName, dockerReference, signer: signing.signer, ...(registriesDir !== undefined && { registriesDir }) });
      return { format: signing.format, digest: signed.manifestDigest, identity: lib.parseSimpleSigningPayload(signed.payload).dockerReference, stored: `as ${signed.location}`, signatures: signed.index, added: true };
    } finally {
      client.close();
    }
  }
  if (given === undefined) throw new UsageError('copy: an image in a layout has no registry name; say which the signature names with --sign-identity HOST/REPO:TAG');
  const bundle = await import('@ocikit/bundle');
  // An archive is rewritten whole once more, under its lock, to add the signature.
  const withLayout = async <T>(use: (layout: Layout) => Promise<T>): Promise<T> =>
    dest.transport === TransportName.Oci ? use(await bundle.Layout.open(dest.path)) : bundle.changeOciArchive(path.resolve(io.cwd, dest.path), created ?? Math.floor(Date.now() / 1000), use);
  const signed =
    signing.format === 'cosign'
      ? await withLayout((layout) => lib.signLayoutImageCosign({ layout, reference: digest, privateKey: signing.key, dockerReference: given }))
      : await withLayout((layout) => lib.signLayoutImageSimple({ layout, reference: digest, dockerReference: given, signer: signing.signer }));
  const identity = (signing.format === 'cosign' ? lib.parseCosignPayload(signed.payload) : lib.parseSimpleSigningPayload(signed.payload)).dockerReference;
  return { format: signing.format, digest: signed.manifestDigest, identity, stored: `as a referrer in the layout's index`, signatures: signed.signatureCount, added: signed.added };
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
  const signing = await openSigningKey(
    'copy',
    { cosignKey: values['sign-key'], signBy: values['sign-by'], gpgKey: values['sign-gpg-key'], passphraseFile: values['sign-passphrase-file'] },
    { cosignKey: 'sign-key', signBy: 'sign-by', gpgKey: 'sign-gpg-key', passphraseFile: 'sign-passphrase-file' },
    io,
    false,
  );
  if (signing !== undefined && to.transport !== TransportName.Docker && values['sign-identity'] === undefined) {
    throw new UsageError('copy: an image in a layout has no registry name; say which the signature names with --sign-identity HOST/REPO:TAG');
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
    const signature = signing && (await signCopy(to, signing, result.descriptor.digest, created, values, io));
    if (values.json) await write(io.stdout, `${JSON.stringify(signature ? { ...result, signature } : result)}\n`);
    else {
      const { copied, skipped, mounted } = result.blobs;
      const how = [`${copied} blobs copied (${bytes(result.bytes)})`, `${skipped} skipped`, ...(mounted > 0 ? [`${mounted} mounted`] : [])].join(', ');
      await write(io.stdout, `copied ${result.descriptor.digest} to ${positionals[1]}: ${result.manifests} manifest${result.manifests === 1 ? '' : 's'}, ${how}\n`);
      if (signature) await write(io.stdout, `signed ${signature.digest} as ${signature.identity}, stored ${signature.stored}\n`);
    }
    return ExitCode.Ok;
  } finally {
    line?.done();
    registry.close();
  }
});
