import { existsSync } from 'node:fs';
import { Layout, Transport } from '@ocikit/bundle';
import { parseTransportReference, TransportName } from '@ocikit/transport';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags, imageArgument } from '../options.js';
import { openRepository, REGISTRY_FLAGS, registryFlagsHelp } from '../registry-options.js';

const usage = `Usage: ocikit delete [registry flags] docker://HOST[:PORT]/REPO[:TAG|@DIGEST]
       ocikit delete oci:LAYOUT:REF | oci:LAYOUT@DIGEST
       ocikit delete [--force] NAME

A container NAME (no transport): the container is deleted from its runtime
(runtime-spec "delete"; a running one only with --force, which kills it),
its overlay rootfs unmounted and its folder in the store removed.

Delete an image as skopeo delete does. In a registry, a tag is resolved to
its digest and the manifest is deleted by digest (distribution-spec
"Deleting Manifests"): every tag naming that manifest goes with it. The
registry must allow deletes. Nothing is printed.

For oci:, the reference is removed from the layout's index.json as
"ocikit rm" removes it; the blobs stay until "ocikit gc LAYOUT".

  --json   print {"deleted": DIGEST} (docker://), and errors as JSON

Registry flags (docker:// only):
${registryFlagsHelp()}

Exit status: 0 deleted; 1 nothing there (MANIFEST_UNKNOWN, REF_NOT_FOUND)
or another registry error (UNAUTHORIZED, DENIED, UNSUPPORTED, ...); 2 usage
error or no layout.
`;

const options = { ...flags('boolean', 'json', 'force'), ...REGISTRY_FLAGS } as const;

/** Container names have no transport and no colon: `delete NAME` is a container's. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const command = defineCommand('delete', { summary: 'delete a container, an image from a registry (like skopeo delete), or a ref from a layout', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('delete: name exactly one IMAGE (docker://HOST/REPO:TAG, docker://HOST/REPO@DIGEST or oci:LAYOUT:REF)');
  const text = positionals[0]!;
  if (CONTAINER_NAME.test(text) && !existsSync(text)) {
    const { defaultStoreRoot, removeContainer, storePaths } = await import('@ocikit/container');
    await removeContainer(storePaths(defaultStoreRoot(io.env)), text, { force: values.force === true });
    if (values.json === true) await write(io.stdout, `${JSON.stringify({ deleted: text })}\n`);
    return ExitCode.Ok;
  }
  if (!text.startsWith('docker:')) {
    // The layout case is rm's: one mechanism, reached by two names.
    const { transport, layout, target } = imageArgument('delete', text, 'oci:LAYOUT:REF or oci:LAYOUT@DIGEST');
    if (transport === Transport.OciArchive) throw new UsageError('delete: changes a layout directory, not an oci-archive file');
    await (await Layout.open(layout)).removeRef(target, { mustExist: true });
    return ExitCode.Ok;
  }
  const ref = parseTransportReference(text);
  if (ref.transport !== TransportName.Docker) throw new UsageError(`delete: ${JSON.stringify(text)} is not a docker:// reference`);
  const { repository, reference, client } = await openRepository('delete', values, ref, io);
  try {
    const digest = ref.reference.digest ?? (await repository.resolve(reference)).digest;
    await repository.deleteManifest(digest);
    if (values.json === true) await write(io.stdout, `${JSON.stringify({ deleted: digest })}\n`);
    return ExitCode.Ok;
  } finally {
    client.close();
  }
});
