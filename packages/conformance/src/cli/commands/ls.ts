import { openLayout } from '@ocikit/bundle';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { bytes } from '../progress.js';
import { formatTable } from '../table.js';

const usage = `Usage: ocikit ls [--json] LAYOUT

List the images of an OCI image layout (a directory, or an oci-archive
file): a line for every descriptor of index.json, named or not, and after
an index a line for each manifest it lists, under the same REF.

  REF         the org.opencontainers.image.ref.name, or - for none
  DIGEST      the descriptor's digest (name it as LAYOUT@DIGEST)
  PLATFORM    os/arch[/variant] from the descriptor, else the image config
  SIZE        the document and every blob it names, each counted once
  MEDIA TYPE  the descriptor's media type

  --json   print a JSON array, one object per line:
           {"ref", "digest", "mediaType", "platform", "size", "index"}
           ("index": the digest of the index listing a manifest, else null;
           "ref", "platform" and "size" are null when unknown)

Exit status: 0 listed, 1 index.json is invalid, 2 usage error or no layout.
`;

const options = flags('boolean', 'json');

export const command = defineCommand('ls', { summary: 'list the images of a layout or oci-archive: refs, digests, platforms, sizes', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('ls: name exactly one LAYOUT (a directory or an oci-archive file)');
  const opened = await openLayout(positionals[0]!);
  try {
    const images = await opened.layout.listImages();
    if (values.json) {
      await write(io.stdout, `${JSON.stringify(images)}\n`);
    } else {
      const rows = images.map((i) => [i.ref ?? '-', i.digest, i.platform ?? '-', i.size === null ? '?' : bytes(i.size), i.mediaType]);
      await write(io.stdout, formatTable(['REF', 'DIGEST', 'PLATFORM', 'SIZE', 'MEDIA TYPE'], rows));
    }
    return ExitCode.Ok;
  } finally {
    opened.close();
  }
});
