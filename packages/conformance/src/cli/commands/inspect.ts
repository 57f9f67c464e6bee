import { inspectImage, openLayout, readConfigBytes, readManifestBytes } from '@ocikit/bundle';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags, imageArgument } from '../options.js';

const usage = `Usage: ocikit inspect [--raw | --config] [--platform OS/ARCH[/VARIANT]] IMAGE

IMAGE is oci:LAYOUT[:REF], oci-archive:FILE[:REF], or either with @DIGEST
instead of :REF (REF defaults to latest). The transport may be left out: a
directory is read as a layout, a file as an oci-archive.

Print the image as skopeo inspect does, as JSON: Name (IMAGE as given),
Digest (of what REF names: for a multi-platform image, its index), RepoTags
(every ref name in the layout), Created, DockerVersion, Labels,
Architecture, Variant (when set), Os, Layers (digests), LayersData
(MIMEType, Digest, Size, Annotations) and Env.

  --raw          print the manifest exactly as stored: what REF names (for a
                 multi-platform image, its index), or with --platform that
                 platform's manifest
  --config       print the image config exactly as stored (with or without --raw)
  --platform P   the platform to pick from an index (default: this host's);
                 an image for another platform is refused

Exit status: 0 printed; 1 no such REF or platform, or an invalid image;
2 usage error or no layout.
`;

const options = {
  ...flags('string', 'platform'),
  ...flags('boolean', 'raw', 'config'),
} as const;

export const command = defineCommand('inspect', { summary: 'describe an image of a layout or oci-archive (like skopeo inspect)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('inspect: name exactly one IMAGE (oci:LAYOUT[:REF] or oci-archive:FILE[:REF])');
  const name = positionals[0]!;
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
