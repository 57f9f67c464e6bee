import { ImageStore, defaultStoreRoot } from '@ocikit/container';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { bytes } from '../progress.js';
import { formatTable } from '../table.js';

const usage = `Usage: ocikit images [--json]

List the images of the local store ($OCIKIT_STORE, else
\${XDG_DATA_HOME:-~/.local/share}/ocikit): the name each was pulled by, its
manifest digest, platform and size, and whether it is unpacked (a run of
it starts without unpacking).

  --json   print a JSON array of {"ref", "digest", "mediaType", "platform",
           "size", "index", "unpacked"}

Exit status: 0 listed, 1 the store's index.json is invalid.
`;

const options = flags('boolean', 'json');

export const command = defineCommand('images', { summary: 'list the images of the local store', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length > 0) throw new UsageError('images: takes no arguments');
  const images = await new ImageStore(defaultStoreRoot(io.env)).images();
  if (values.json) await write(io.stdout, `${JSON.stringify(images)}\n`);
  else await write(io.stdout, formatTable(['NAME', 'DIGEST', 'PLATFORM', 'SIZE', 'UNPACKED'], images.map((i) => [i.ref ?? '-', i.digest, i.platform ?? '-', i.size === null ? '?' : bytes(i.size), i.unpacked ? 'yes' : 'no'])));
  return ExitCode.Ok;
});
