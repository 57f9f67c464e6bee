import { BundleError, BundleErrorCode, openLayout } from '@ocikit/bundle';
import type { Descriptor } from '@ocikit/image-spec';
import { parseTransportReference, TransportName, type DockerReference } from '@ocikit/transport';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type CommandIO } from '../io.js';
import { defineCommand, flags, imageArgument } from '../options.js';
import { openRepository, REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';
import { formatTable } from '../table.js';

const usage = `Usage: ocikit referrers [--artifact-type TYPE] [--json] [registry flags] IMAGE

List the manifests whose subject is IMAGE (image-spec "subject";
distribution-spec "Listing Referrers"). IMAGE is
docker://HOST[:PORT]/REPO[:TAG|@DIGEST], oci:LAYOUT[:REF], oci:LAYOUT@DIGEST
or oci-archive:FILE[:REF] (REF and TAG default to latest). A registry is
asked through the referrers API, or, when it has none, through the fallback
tag sha256-<hex>; a layout is searched for manifests with that subject.

Prints a table (DIGEST, ARTIFACT TYPE, MEDIA TYPE, SIZE), or with --json
the descriptors as a JSON array.

  --artifact-type TYPE  only referrers of this artifact type
  --json                print the descriptors as JSON

Registry flags (docker:// only):
${registryFlagsHelp()}

Exit status: 0 printed (also when there are none); 1 IMAGE is not there
(MANIFEST_UNKNOWN, REF_NOT_FOUND) or another registry error; 2 usage error
or no layout.
`;

const options = { ...flags('string', 'artifact-type'), ...flags('boolean', 'json'), ...REGISTRY_FLAGS } as const;

async function registryReferrers(ref: DockerReference, values: Record<string, unknown>, artifactType: string | undefined, io: CommandIO): Promise<Descriptor[]> {
  const { repository, reference, client } = await openRepository('referrers', values, ref, io);
  try {
    const digest = ref.reference.digest ?? (await repository.resolve(reference)).digest;
    return await repository.referrers(digest, artifactType === undefined ? {} : { artifactType });
  } finally {
    client.close();
  }
}

async function layoutReferrers(text: string, artifactType: string | undefined): Promise<Descriptor[]> {
  const { layout: location, target } = imageArgument('referrers', text, 'oci:LAYOUT[:REF], oci:LAYOUT@DIGEST or oci-archive:FILE[:REF]', 'latest');
  const opened = await openLayout(location);
  try {
    const { layout } = opened;
    let digest: string;
    if (typeof target === 'string') {
      const found = [...new Set((await layout.descriptors(target)).map((d) => d.digest))];
      if (found.length === 0) throw new BundleError(BundleErrorCode.RefNotFound, `${location}: no reference named ${JSON.stringify(target)}`);
      if (found.length > 1) throw new BundleError(BundleErrorCode.AmbiguousRef, `${location}: reference ${JSON.stringify(target)} names ${found.length} manifests; name one by @DIGEST`);
      digest = found[0]!;
    } else {
      digest = target.digest;
    }
    const all = (await layout.referrers()).get(digest) ?? [];
    return artifactType === undefined ? all : all.filter((d) => d.artifactType === artifactType);
  } finally {
    opened.close();
  }
}

export const command = defineCommand('referrers', { summary: 'list the referrers of an image (signatures, SBOMs, ...)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('referrers: name exactly one IMAGE (docker://HOST/REPO[:TAG|@DIGEST] or oci:LAYOUT[:REF])');
  const text = positionals[0]!;
  const artifactType = values['artifact-type'];
  let found: Descriptor[];
  if (text.startsWith('docker:')) {
    const ref = parseTransportReference(text);
    if (ref.transport !== TransportName.Docker) throw new UsageError(`referrers: ${JSON.stringify(text)} is not a docker:// reference`);
    found = await registryReferrers(ref, values, artifactType, io);
  } else {
    const registryFlag = (['tls-verify', 'creds', 'no-creds', 'authfile', 'cert-dir'] as const).find((f) => values[f] !== undefined);
    if (registryFlag !== undefined) throw new UsageError(`referrers: --${registryFlag} is for docker:// images only`);
    found = await layoutReferrers(text, artifactType);
  }
  if (values.json === true) {
    await write(io.stdout, `${JSON.stringify(found, null, 2)}\n`);
  } else if (found.length === 0) {
    if (io.stdout.isTTY) await write(io.stdout, 'no referrers\n');
  } else {
    await write(io.stdout, formatTable(['DIGEST', 'ARTIFACT TYPE', 'MEDIA TYPE', 'SIZE'], found.map((d) => [d.digest, d.artifactType ?? '', d.mediaType, String(d.size)])));
  }
  return ExitCode.Ok;
});
