import { defaultStoreRoot, execInContainer, storePaths } from '@ocikit/container';
import { UsageError } from '../exit-codes.js';
import { definePassThroughCommand, PROCESS_FLAGS } from '../options.js';

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

export const command = definePassThroughCommand(
  'exec',
  {
    summary: 'run a command in a running container (runtime exec)',
    usage,
    options: PROCESS_FLAGS,
  },
  async ({ values, first, rest }, io) => {
    if (first === undefined || rest.length === 0) throw new UsageError('exec: name the container and the command to run in it');
    return execInContainer(storePaths(defaultStoreRoot(io.env)), first, rest, {
      tty: values.tty === true,
      interactive: values.interactive === true,
      ...(values.env !== undefined && { env: values.env }),
      ...(values.workdir !== undefined && { workdir: values.workdir }),
      ...(values.user !== undefined && { user: values.user }),
    });
  }
);
