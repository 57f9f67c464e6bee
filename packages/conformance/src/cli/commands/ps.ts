import { defaultStoreRoot, listContainers, storePaths } from '@ocikit/container';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, flags } from '../options.js';
import { formatTable } from '../table.js';

const usage = `Usage: ocikit ps [--json]

List the containers of the store ($OCIKIT_STORE, else
\${XDG_DATA_HOME:-~/.local/share}/ocikit) with what their runtime says of
them: created, running, stopped (runtime-spec "State"), or unknown when
the runtime has no state for it (after a reboot: ocikit delete NAME).

  --json   print a JSON array of {"name", "image", "digest", "status",
           "pid", "command", "created", "runtime"}

Exit status: 0 listed, 1 a runtime failed, 2 usage error.
`;

const options = flags('boolean', 'json');

export const command = defineCommand('ps', { summary: 'list the containers of the store, with their runtime status', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length > 0) throw new UsageError('ps: takes no arguments');
  const listed = await listContainers(storePaths(defaultStoreRoot(io.env)));
  const rows = listed.map(({ record, status, pid }) => ({
    name: record.name,
    image: record.image,
    digest: record.manifestDigest,
    status,
    pid: pid ?? null,
    command: record.command,
    created: record.created,
    runtime: record.runtime,
  }));
  if (values.json) await write(io.stdout, `${JSON.stringify(rows)}\n`);
  else await write(io.stdout, formatTable(['NAME', 'IMAGE', 'STATUS', 'PID', 'CREATED', 'COMMAND'], rows.map((r) => [r.name, r.image, r.status, r.pid === null ? '-' : String(r.pid), r.created, JSON.stringify(r.command)])));
  return ExitCode.Ok;
});
