import { Layout } from '@ocikit/bundle';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { bytes } from '../progress.js';

const usage = `Usage: ocikit gc [--dry-run] [--grace DURATION] [--json] LAYOUT

Remove the blobs of a layout directory that nothing reachable from
index.json refers to (like umoci gc). Manifests whose subject is reachable
(referrers: signatures, SBOMs, attestations) are kept, with what they refer
to. Temp files and staging trees of writers that were killed go too; those
of running writers stay. Runs under the layout's lock, so no ocikit writer
changes index.json meanwhile.

  --dry-run         list what would be removed, and remove nothing
  --grace DURATION  spare unreferenced blobs younger than this (default 15m):
                    a running pack or copy stores its blobs before it names
                    them in index.json. 0 spares none. Units: s, m, h.
  --json            print {"dryRun", "removed": [{"digest", "size"}], "bytes",
                    "spared": [{"digest", "size"}], "scratch": [NAME...]}

Exit status: 0 done; 1 a reachable document is invalid (nothing removed);
2 usage error or no layout.
`;

const options = { ...flags('boolean', 'dry-run', 'json'), grace: { type: 'string' } } as const;

/** `90s`, `15m`, `2h` or a bare number of seconds, in milliseconds. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (m === null) throw new UsageError(`gc: --grace takes a duration such as 0, 90s, 15m or 2h, not ${JSON.stringify(text)}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1_000;
  return Number(m[1]) * unit;
}

export const command = defineCommand('gc', { summary: 'remove unreachable blobs from a layout, keeping referrers (like umoci gc)', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('gc: name exactly one LAYOUT directory');
  const dryRun = values['dry-run'] === true;
  const graceMs = values.grace === undefined ? undefined : parseDuration(values.grace);
  const { removed, spared, scratch } = await (await Layout.open(positionals[0]!)).gc({ dryRun, ...(graceMs !== undefined && { graceMs }) });
  const total = removed.reduce((n, r) => n + r.size, 0);
  if (values.json) {
    await write(io.stdout, `${JSON.stringify({ dryRun, removed, bytes: total, spared, scratch })}\n`);
    return ExitCode.Ok;
  }
  const verb = dryRun ? 'would remove' : 'removed';
  const lines = [
    ...removed.map((r) => `${verb} ${r.digest} (${bytes(r.size)})\n`),
    ...scratch.map((name) => `${verb} ${name} (left by a writer that is gone)\n`),
  ];
  const summary = removed.length === 0 ? 'nothing to remove\n' : `${verb} ${removed.length} blob${removed.length === 1 ? '' : 's'}, ${bytes(total)}${dryRun ? '' : ' freed'}\n`;
  const young = spared.length === 0 ? '' : `kept ${spared.length} unreferenced blob${spared.length === 1 ? '' : 's'} younger than the grace period (--grace 0 removes them)\n`;
  await write(io.stdout, `${lines.join('')}${summary}${young}`);
  return ExitCode.Ok;
});
