import { Layout } from '@ocikit/bundle';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { bytes } from '../progress.js';

const usage = `Usage: ocikit gc [--dry-run] [--json] LAYOUT

Remove the blobs of a layout directory that nothing reachable from
index.json refers to (like umoci gc). Manifests whose subject is reachable
(referrers: signatures, SBOMs, attestations) are kept, with what they refer
to; temp files left by interrupted writes go too. Runs under the layout's
index lock, so no ocikit writer adds a reference meanwhile.

  --dry-run   list what would be removed, and remove nothing
  --json      print {"dryRun", "removed": [{"digest", "size"}], "bytes"}

Exit status: 0 done; 1 a reachable document is invalid (nothing removed);
2 usage error or no layout.
`;

const options = flags('boolean', 'dry-run', 'json');

export const command = defineCommand('gc', { summary: 'remove unreachable blobs from a layout, keeping referrers (like umoci gc)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('gc: name exactly one LAYOUT directory');
  const dryRun = values['dry-run'] === true;
  const removed = await (await Layout.open(positionals[0]!)).gc({ dryRun });
  const total = removed.reduce((n, r) => n + r.size, 0);
  if (values.json) {
    await write(io.stdout, `${JSON.stringify({ dryRun, removed, bytes: total })}\n`);
    return ExitCode.Ok;
  }
  const verb = dryRun ? 'would remove' : 'removed';
  const lines = removed.map((r) => `${verb} ${r.digest} (${bytes(r.size)})\n`);
  const summary = removed.length === 0 ? 'nothing to remove\n' : `${verb} ${removed.length} blob${removed.length === 1 ? '' : 's'}, ${bytes(total)}${dryRun ? '' : ' freed'}\n`;
  await write(io.stdout, `${lines.join('')}${summary}`);
  return ExitCode.Ok;
});
