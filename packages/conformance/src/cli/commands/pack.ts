import { statSync } from 'node:fs';
import { DEFLATER_CHOICES, pack, PackCompression, PackFormat, type PackProgress } from '@ocikit/bundle';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, enumOption, flags, imageOption } from '../options.js';
import { bytes, progressLine } from '../progress.js';

const usage = `Usage: ocikit pack --image LAYOUT[:REF] [--compress gzip|zstd|none] [--deflater auto|native|wasm] [--format layout|archive] [--full] [--history-comment TEXT] [--json] BUNDLE

Pack a runtime bundle back into an image (like umoci repack). A bundle made by
"ocikit unpack" gets one new layer with what changed in its rootfs since then
(added and modified entries, whiteouts for removed ones); any other bundle
becomes an image with its whole rootfs as one layer. Edits to config.json
(args, env, cwd, user, annotations: labels, stop signal, exposed ports) are
carried back into the image config. REF (default: latest) is pointed at the
new manifest in index.json.

  --image LAYOUT[:REF]   layout directory to write into (created if missing), or the archive file
  --compress C           layer compression: gzip (default), zstd or none
  --deflater D           gzip by libdeflate: auto (default: the system's native
                         library when installed, else WebAssembly), native, or
                         wasm (the build shipped with ocikit: byte-identical
                         layers on every host)
  --format F             layout or archive: an oci-archive tar file (default:
                         archive when LAYOUT is an existing file or ends in .tar)
  --full                 one layer with the whole rootfs, even for an unpacked bundle
  --history-comment T    comment of the new history entry
  --json                 print the result as JSON

Reproducible: the same bundle packs to the same digest. SOURCE_DATE_EPOCH, when
set, is the image's creation time and the latest mtime in the layer; otherwise
the newest mtime in the bundle is used, never the clock.
Exit status: 0 packed, 1 the bundle or layout was refused, 2 usage error.
`;

const COMPRESSIONS = Object.values(PackCompression);
const FORMATS = Object.values(PackFormat);

const options = {
  image: { type: 'string', short: 'i' },
  ...flags('string', 'compress', 'deflater', 'format', 'history-comment'),
  ...flags('boolean', 'full', 'json'),
} as const;

export const command = defineCommand('pack', { summary: 'pack a runtime bundle back into an image layout or oci-archive (like umoci repack)', usage, options }, async ({ values, positionals }, io) => {
  const { layout, ref } = imageOption('pack', values.image);
  if (positionals.length !== 1) throw new UsageError('pack: name exactly one BUNDLE directory');
  const compression = enumOption('pack', 'compress', values.compress, COMPRESSIONS, PackCompression.Gzip);
  const deflater = enumOption('pack', 'deflater', values.deflater, DEFLATER_CHOICES, 'auto');
  // No --format: the library picks an oci-archive for a file or a .tar name.
  const format = values.format === undefined ? undefined : enumOption('pack', 'format', values.format, FORMATS, PackFormat.Layout);
  if (format === PackFormat.Layout && statSync(layout, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new UsageError(`pack: ${JSON.stringify(layout)} is a file, and --format layout writes a directory (an oci-archive file takes --format archive)`);
  }
  let sourceDateEpoch: number | undefined;
  const sde = io.env['SOURCE_DATE_EPOCH'];
  if (sde !== undefined && sde !== '') {
    if (!/^[0-9]{1,12}$/.test(sde)) throw new UsageError(`pack: SOURCE_DATE_EPOCH must be whole seconds since the epoch, not ${JSON.stringify(sde)}`);
    sourceDateEpoch = Number(sde);
  }
  const line = progressLine(io);
  try {
    const result = await pack(positionals[0]!, layout, {
      ref,
      compression,
      deflater,
      ...(format !== undefined && { format }),
      full: values.full === true,
      ...(sourceDateEpoch !== undefined && { sourceDateEpoch }),
      ...(values['history-comment'] !== undefined && { comment: values['history-comment'] }),
      warn: (m) => void io.stderr.write(`ocikit: pack: warning: ${m}\n`),
      ...(line && { progress: (p: PackProgress) => line.update(`packing: ${p.entries} entries, ${bytes(p.bytes)} of layer tar`) }),
    });
    line?.done();
    if (values.json) await write(io.stdout, `${JSON.stringify(result)}\n`);
    else {
      const what = result.layer
        ? `${result.incremental ? `a layer of changes (${result.added} added, ${result.modified} modified, ${result.removed} removed)` : `one full layer (${result.added} entries)`} ${result.layer.digest}`
        : 'no new layer (nothing changed)';
      await write(io.stdout, `packed ${result.manifest.digest} as ${result.target}:${result.ref} with ${what}\n`);
    }
    return ExitCode.Ok;
  } finally {
    line?.done();
  }
});
