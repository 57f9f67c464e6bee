import { containerStatus, defaultStoreRoot, storePaths } from '@ocikit/container';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand } from '../options.js';

const usage = `Usage: ocikit state NAME

Print the runtime's state of container NAME: the runtime-spec "State"
document (ociVersion, id, status, pid, bundle, annotations), as the runtime
reports it.

Exit status: 0 printed; 1 the runtime has no state for it, or failed; 2
usage error or no container of that name.
`;

export const command = defineCommand('state', { summary: "print a container's runtime state (runtime-spec State)", usage, options: {} }, async ({ positionals }, io) => {
  if (positionals.length !== 1) throw new UsageError('state: name exactly one container');
  const { state, record } = await containerStatus(storePaths(defaultStoreRoot(io.env)), positionals[0]!);
  if (state === undefined) throw new UsageError(`state: the runtime ${record.runtime} has no state for container ${JSON.stringify(record.name)} (ocikit delete ${record.name} removes what is left)`);
  await write(io.stdout, `${JSON.stringify(state, null, 2)}\n`);
  return ExitCode.Ok;
});
