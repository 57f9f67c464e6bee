import { defaultStoreRoot, killContainer, storePaths } from '@ocikit/container';
import { constants } from 'node:os';
import { ExitCode, UsageError } from '../exit-codes.js';
import { defineCommand } from '../options.js';

const usage = `Usage: ocikit kill NAME [SIGNAL]

Send SIGNAL (default TERM) to the process of container NAME, through its
runtime's kill (runtime-spec "kill"). SIGNAL is a name (TERM, SIGKILL) or
a number.

Exit status: 0 sent; 1 the runtime refused (the container is not running);
2 usage error or no container of that name.
`;

/** TERM, SIGTERM or 15, checked against this system's signals; the name without SIG. */
function signalName(text: string): string {
  if (/^[0-9]{1,2}$/.test(text)) {
    const found = Object.entries(constants.signals).find(([, n]) => n === Number(text));
    if (found) return found[0].slice(3);
  } else {
    const name = text.toUpperCase().replace(/^SIG/, '');
    if (`SIG${name}` in constants.signals) return name;
  }
  throw new UsageError(`kill: ${JSON.stringify(text)} is not a signal name or number of this system`);
}

export const command = defineCommand('kill', { summary: "send a signal to a container's process", usage, options: {} }, async ({ positionals }, io) => {
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('kill: name a container, and optionally a SIGNAL');
  await killContainer(storePaths(defaultStoreRoot(io.env)), positionals[0]!, signalName(positionals[1] ?? 'TERM'));
  return ExitCode.Ok;
});
