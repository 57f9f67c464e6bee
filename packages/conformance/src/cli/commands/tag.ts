import { Layout, Transport } from '@ocikit/bundle';
import { REF_NAME_GRAMMAR } from '@ocikit/image-spec';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, imageArgument } from '../options.js';

const usage = `Usage: ocikit tag LAYOUT[:REF] NEW-REF
       ocikit tag LAYOUT@DIGEST NEW-REF

Point NEW-REF at what REF names in the layout directory (like crane tag
IMAGE TAG): every descriptor named REF (default: latest), or the manifest
or index with DIGEST. What NEW-REF named before is replaced; no blob is
copied or removed.

NEW-REF must be an org.opencontainers.image.ref.name: ${REF_NAME_GRAMMAR}.

Exit status: 0 tagged; 1 REF or DIGEST names nothing (REF_NOT_FOUND);
2 usage error, a NEW-REF outside the grammar (INVALID_REF_NAME) or no layout.
`;

export const command = defineCommand('tag', { summary: 'point a new ref at an image of a layout (like crane tag)', usage, options: {} }, async ({ positionals }, io) => {
  if (positionals.length !== 2) throw new UsageError('tag: name LAYOUT[:REF] (or LAYOUT@DIGEST) and NEW-REF');
  const { transport, layout, target } = imageArgument('tag', positionals[0], 'LAYOUT[:REF] or LAYOUT@DIGEST', 'latest');
  if (transport === Transport.OciArchive) throw new UsageError('tag: changes a layout directory, not an oci-archive file');
  const to = positionals[1]!;
  const tagged = await (await Layout.open(layout)).tag(target, to);
  await write(io.stdout, tagged.map((d) => `tagged ${layout}:${to} -> ${d.digest}${d.platform ? ` (${d.platform.os}/${d.platform.architecture})` : ''}\n`).join(''));
  return ExitCode.Ok;
});
