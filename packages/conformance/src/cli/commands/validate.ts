import { parseArgs } from 'node:util';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type Command } from '../io.js';
import { VALIDATE_KINDS, isValidateKind } from '../../validate/kinds.js';
import { validatePaths } from '../../validate/run.js';
import { InputError } from '../../validate/read-input.js';
import { formatHuman } from '../../validate/format.js';

const usage = `Usage: ocikit validate [--type T] [--json] [--level must|should|may] [--quiet] [--max-bytes N] PATH...

Validate OCI documents and directories offline. PATH may be a file, a
directory (its documents, recursively) or - for standard input.

  --type T       one of: ${VALIDATE_KINDS.join(', ')}
                 (default: detected from mediaType, file name and shape)
  --json         print {"results":[{path,type,valid,errors,warnings}]}
  --level L      show findings at level L or stricter (default may: all)
  --quiet        print only invalid inputs
  --max-bytes N  largest document to read (default 67108864)
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

/** A one-line blob counter on a terminal's stderr, erased when done. */
function progressBar(stream: NodeJS.WritableStream): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    stream.write(done < total ? `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} blobs verified` : '\r\u001b[K');
  };
}

export const command: Command = {
  summary: 'validate OCI documents, image layouts and bundles offline',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        type: { type: 'string', short: 't' },
        json: { type: 'boolean' },
        level: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        'max-bytes': { type: 'string' },
        'host-specific': { type: 'boolean' },
        deep: { type: 'boolean' },
      },
    });
    if (positionals.length === 0) throw new UsageError('validate: name at least one PATH (- for standard input)');
    if (values.type !== undefined && !isValidateKind(values.type)) {
      throw new UsageError(`validate: unknown --type "${values.type}" (one of ${VALIDATE_KINDS.join(', ')})`);
    }
    const level = values.level?.toLowerCase();
    if (level !== undefined && level !== 'must' && level !== 'should' && level !== 'may') {
      throw new UsageError(`validate: --level must be must, should or may, not "${values.level}"`);
    }
    const maxBytes = values['max-bytes'] === undefined ? undefined : Number(values['max-bytes']);
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
      throw new UsageError(`validate: --max-bytes must be a positive integer, not "${values['max-bytes']}"`);
    }
    let report;
    try {
      report = await validatePaths(positionals, {
        ...(values.type !== undefined && { type: values.type as never }),
        ...(level !== undefined && { level: level }),
        ...(maxBytes !== undefined && { maxBytes }),
        hostSpecific: values['host-specific'] === true,
        deep: values.deep === true,
        ...(io.stderr.isTTY === true && { onProgress: progressBar(io.stderr) }),
        stdin: io.stdin,
      });
    } catch (err) {
      if (err instanceof InputError) {
        await write(io.stderr, `ocikit: ${err.message}\n`);
        return ExitCode.Usage;
      }
      throw err;
    }
    if (values.json) {
      await write(io.stdout, `${JSON.stringify(report)}\n`);
    } else {
      const tty = io.stdout.isTTY === true;
      await write(io.stdout, formatHuman(report, { color: tty && !io.env['NO_COLOR'], quiet: values.quiet === true, summary: tty || report.results.length > 1 }));
    }
    return report.results.every((r) => r.valid) ? ExitCode.Ok : ExitCode.Failure;
  },
};
