import { Layout, Transport } from '@ocikit/bundle';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, imageArgument } from '../options.js';

const usage = `Usage: ocikit rm LAYOUT:REF
       ocikit rm LAYOUT@DIGEST

Remove a reference from the layout's index.json: the descriptors named
REF, or every descriptor with DIGEST (how an unnamed one is removed). The
blobs stay until "ocikit gc LAYOUT".

Exit status: 0 removed; 1 nothing is named REF or DIGEST (REF_NOT_FOUND;
nothing is written); 2 usage error or no layout.
`;

export const command = defineCommand('rm', { summary: 'remove a ref from a layout (blobs stay until gc)', usage, options: {} }, async ({ positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('rm: name exactly one LAYOUT:REF (or LAYOUT@DIGEST)');
  const { transport, layout, target } = imageArgument('rm', positionals[0], 'LAYOUT:REF or LAYOUT@DIGEST');
  if (transport === Transport.OciArchive) throw new UsageError('rm: changes a layout directory, not an oci-archive file');
  const removed = await (await Layout.open(layout)).removeRef(target, { mustExist: true });
  const what = typeof target === 'string' ? `${layout}:${target}` : `${layout}@${target.digest}`;
  await write(io.stdout, `removed ${what} (${removed} descriptor${removed === 1 ? '' : 's'})\n`);
  return ExitCode.Ok;
});
