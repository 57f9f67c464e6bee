import { defaultStoreRoot, execInContainer, storePaths } from '@ocikit/container';
import { UsageError } from '../exit-codes.js';
import type { Command } from '../io.js';
import { parseCommandArgs, splitAtCommand } from '../options.js';

const usage = `Usage: ocikit exec [-t] [-i] [-e KEY=VAL]... [-w DIR] [-u USER[:GROUP]] NAME CMD [ARG...]

Run CMD in the running container NAME, through the runtime's exec (runc
and crun have it), with the container's environment plus -e. Flags after
NAME are CMD's.

  -t, --tty            give CMD a terminal
  -i, --interactive    keep stdin attached
  -e, --env KEY=VAL    set a variable; repeatable
  -w, --workdir DIR    the working directory
  -u, --user USER[:GROUP]
                       names or ids, resolved in the container's /etc/passwd and /etc/group

Exit status: CMD's own; 125 when ocikit failed (no such container, not
running, the runtime refused).
`;

const options = {
  tty: { type: 'boolean', short: 't' },
  interactive: { type: 'boolean', short: 'i' },
  env: { type: 'string', short: 'e', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
} as const;

export const command: Command = {
  summary: 'run a command in a running container (runtime exec)',
  usage,
  options,
  passThrough: true,
  async run(args, io) {
    const split = splitAtCommand(args, options);
    const { values } = parseCommandArgs('exec', split.own, options);
    if (split.first === undefined || split.rest.length === 0) throw new UsageError('exec: name the container and the command to run in it');
    return execInContainer(storePaths(defaultStoreRoot(io.env)), split.first, split.rest, {
      tty: values.tty === true,
      interactive: values.interactive === true,
      ...(values.env !== undefined && { env: values.env }),
      ...(values.workdir !== undefined && { workdir: values.workdir }),
      ...(values.user !== undefined && { user: values.user }),
    });
  },
};
