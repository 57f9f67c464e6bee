import { Limits } from '@ocikit/validation';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, enumOption, flags } from '../options.js';
import { bar, progressLine } from '../progress.js';
import { VALIDATE_KINDS, isValidateKind } from '../../validate/kinds.js';
import { validatePaths } from '../../validate/run.js';
import { formatHuman } from '../../validate/format.js';

const usage = `Usage: ocikit validate [--type T] [--json] [--level must|should|may] [--quiet] [--max-bytes N]
                       [--deep] [--host-specific] PATH...

Validate OCI documents and directories offline. PATH may be a file, a
directory (its documents, recursively) or - for standard input.

  --type T       one of: ${VALIDATE_KINDS.join(', ')}
                 (default: detected from mediaType, file name and shape)
  --json         print {"results":[{path,type,valid,errors,warnings}]}
  --level L      show findings at level L or stricter (default may: all)
  --quiet        print only invalid inputs
  --max-bytes N  largest document to read (default ${Limits.ConfigBytes.value}, ${Limits.ConfigBytes.name})
  --host-specific  bundles: also check this host (capabilities, filesystems)
  --deep         image layouts: also decompress every layer (diff_id, tar
                 well-formedness, unsafe and duplicate paths, bare whiteouts)

A directory holding oci-layout is an image layout; one holding config.json and
rootfs is a bundle; a tar file holding oci-layout or index.json is an
oci-archive, validated as an image layout.
Findings inside a layout name the file, then # and a JSON Pointer.

Exit status: 0 all valid, 1 something invalid, 2 usage error or unreadable path.
Warnings never change the exit status.
`;

const options = {
  type: { type: 'string', short: 't' },
  quiet: { type: 'boolean', short: 'q' },
  ...flags('string', 'level', 'max-bytes'),
  ...flags('boolean', 'json', 'host-specific', 'deep'),
} as const;

const LEVELS = ['must', 'should', 'may'] as const;

export const command = defineCommand('validate', { summary: 'validate OCI documents, image layouts and bundles offline', usage, options }, async ({ values, positionals }, io) => {
  if (positionals.length === 0) throw new UsageError('validate: name at least one PATH (- for standard input)');
  if (values.type !== undefined && !isValidateKind(values.type)) {
    throw new UsageError(`validate: unknown --type "${values.type}" (one of ${VALIDATE_KINDS.join(', ')})`);
  }
  const level = values.level === undefined ? undefined : enumOption('validate', 'level', values.level.toLowerCase(), LEVELS, 'may');
  const maxBytes = values['max-bytes'] === undefined ? undefined : Number(values['max-bytes']);
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new UsageError(`validate: --max-bytes must be a positive integer, not "${values['max-bytes']}"`);
  }
  const line = progressLine(io);
  let report;
  try {
    report = await validatePaths(positionals, {
      ...(values.type !== undefined && { type: values.type as never }),
      ...(level !== undefined && { level: level }),
      ...(maxBytes !== undefined && { maxBytes: { name: '--max-bytes', value: maxBytes, unit: 'bytes' } as const }),
      hostSpecific: values['host-specific'] === true,
      deep: values.deep === true,
      ...(line && { onProgress: (done: number, total: number) => line.update(`${bar(done / Math.max(total, 1))} ${done}/${total} blobs verified`, done === total) }),
      stdin: io.stdin,
    });
  } finally {
    line?.done();
  }
  if (values.json) {
    await write(io.stdout, `${JSON.stringify(report)}\n`);
  } else {
    const tty = io.stdout.isTTY === true;
    await write(io.stdout, formatHuman(report, { color: tty && !io.env['NO_COLOR'], quiet: values.quiet === true, summary: tty || report.results.length > 1 }));
  }
  return report.results.every((r) => r.valid) ? ExitCode.Ok : ExitCode.Failure;
});
