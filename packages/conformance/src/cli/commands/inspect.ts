import { inspectImage, openLayout, readConfigBytes, readManifestBytes } from '@ocikit/bundle';
import { inspectRemoteImage, parseTransportReference, readRemoteConfigBytes, readRemoteManifestBytes, type DockerReference } from '@ocikit/transport';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type CommandIO } from '../io.js';
import { defineCommand, flags, imageArgument } from '../options.js';
import { openRepository, REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';

const usage = `Usage: ocikit inspect [--raw | --config] [--platform OS/ARCH[/VARIANT]] [registry flags] IMAGE

IMAGE is oci:LAYOUT[:REF], oci-archive:FILE[:REF], or either with @DIGEST
instead of :REF (REF defaults to latest), or docker://HOST[:PORT]/REPO[:TAG]
or docker://HOST[:PORT]/REPO@DIGEST (TAG defaults to latest). The transport
may be left out for a layout: a directory is read as a layout, a file as an
oci-archive.

Print the image as skopeo inspect does, as JSON: Name (IMAGE as given; for
docker://, the repository HOST/REPO as skopeo prints it), Digest (of what
REF names: for a multi-platform image, its index), RepoTags (every ref name
in the layout; the repository's tags), Created, DockerVersion, Labels,
Architecture, Variant (when set), Os, Layers (digests), LayersData
(MIMEType, Digest, Size, Annotations) and Env. --json changes nothing: the
output is always JSON.

  --raw          print the manifest exactly as stored: what REF names (for a
                 multi-platform image, its index), or with --platform that
                 platform's manifest
  --config       print the image config exactly as stored (with or without --raw)
  --platform P   the platform to pick from an index (default: this host's);
                 an image for another platform is refused
  --no-tags      docker:// only: leave RepoTags empty (no tag listing)

Registry flags (docker:// only):
${registryFlagsHelp()}

Exit status: 0 printed; 1 no such REF or platform, an invalid image, or a
registry error (MANIFEST_UNKNOWN, NAME_UNKNOWN, UNAUTHORIZED, DENIED,
REGISTRY_TLS, REGISTRY_NETWORK, ...); 2 usage error or no layout.
`;

const options = {
  ...flags('string', 'platform'),
  ...flags('boolean', 'raw', 'config', 'json', 'no-tags'),
  ...REGISTRY_FLAGS,
} as const;

/** docker://: the same three outputs from the registry. */
async function inspectRegistry(ref: DockerReference, values: Record<string, unknown>, io: CommandIO): Promise<number> {
  const platform = values['platform'] as string | undefined;
  const resolveOptions = platform === undefined ? {} : { platform, strictPlatform: true };
  const { repository, reference, client } = await openRepository('inspect', values, ref, io);
  try {
    if (values['config'] === true) await write(io.stdout, await readRemoteConfigBytes(repository, reference, resolveOptions));
    else if (values['raw'] === true) await write(io.stdout, await readRemoteManifestBytes(repository, reference, resolveOptions));
    else await write(io.stdout, `${JSON.stringify(await inspectRemoteImage(repository, reference, { ...resolveOptions, tags: values['no-tags'] !== true }), null, 4)}\n`);
    return ExitCode.Ok;
  } finally {
    client.close();
  }
}

export const command = defineCommand('inspect', { summary: 'describe an image in a layout, oci-archive or registry (like skopeo inspect)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('inspect: name exactly one IMAGE (oci:LAYOUT[:REF], oci-archive:FILE[:REF] or docker://HOST/REPO[:TAG])');
  const name = positionals[0]!;
  if (name.startsWith('docker:')) {
    const ref = parseTransportReference(name);
    if (ref.transport === 'docker') return inspectRegistry(ref, values, io);
  }
  const registryFlag = (['tls-verify', 'creds', 'no-creds', 'authfile', 'cert-dir', 'no-tags'] as const).find((f) => values[f] !== undefined);
  if (registryFlag !== undefined) throw new UsageError(`inspect: --${registryFlag} is for docker:// images only`);
  const { layout: location, target } = imageArgument('inspect', name, 'oci:LAYOUT[:REF], oci-archive:FILE[:REF] or LAYOUT@DIGEST', 'latest');
  const resolveOptions = values.platform === undefined ? {} : { platform: values.platform, strictPlatform: true };
  const opened = await openLayout(location);
  const { layout } = opened;
  try {
    if (values.config) await write(io.stdout, await readConfigBytes(layout.dir, target, resolveOptions));
    else if (values.raw) await write(io.stdout, await readManifestBytes(layout.dir, target, resolveOptions));
    else await write(io.stdout, `${JSON.stringify(await inspectImage(layout.dir, target, { ...resolveOptions, name }), null, 4)}\n`);
    return ExitCode.Ok;
  } finally {
    opened.close();
  }
});
