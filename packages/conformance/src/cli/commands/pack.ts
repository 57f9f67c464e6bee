import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BundleError, BundleErrorCode, DEFLATER_CHOICES, type DeflaterChoice, pack, PackCompression, PackFormat, parseImageArg } from '@ocikit/bundle';
import { DigestError } from '@ocikit/digest';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type Command } from '../io.js';

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

const COMPRESSIONS: readonly string[] = Object.values(PackCompression);
const FORMATS: readonly string[] = Object.values(PackFormat);

export const command: Command = {
  summary: 'pack a runtime bundle back into an image layout or oci-archive (like umoci repack)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        image: { type: 'string', short: 'i' },
        compress: { type: 'string' },
        deflater: { type: 'string' },
        format: { type: 'string' },
        full: { type: 'boolean' },
        'history-comment': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (values.image === undefined) throw new UsageError('pack: --image LAYOUT[:REF] is required');
    if (positionals.length !== 1) throw new UsageError('pack: name exactly one BUNDLE directory');
    const compression = values.compress ?? PackCompression.Gzip;
    if (!COMPRESSIONS.includes(compression)) throw new UsageError(`pack: --compress must be one of ${COMPRESSIONS.join(', ')}, not ${JSON.stringify(compression)}`);
    const deflater = values.deflater ?? 'auto';
    if (!(DEFLATER_CHOICES as readonly string[]).includes(deflater)) throw new UsageError(`pack: --deflater must be one of ${DEFLATER_CHOICES.join(', ')}, not ${JSON.stringify(deflater)}`);
    const format = values.format;
    if (format !== undefined && !FORMATS.includes(format)) throw new UsageError(`pack: --format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    let sourceDateEpoch: number | undefined;
    const sde = io.env['SOURCE_DATE_EPOCH'];
    if (sde !== undefined && sde !== '') {
      if (!/^[0-9]{1,12}$/.test(sde)) throw new UsageError(`pack: SOURCE_DATE_EPOCH must be whole seconds since the epoch, not ${JSON.stringify(sde)}`);
      sourceDateEpoch = Number(sde);
    }
    try {
      const { layout, ref } = parseImageArg(values.image);
      if (format === PackFormat.Layout && statSync(layout, { throwIfNoEntry: false })?.isDirectory() === false) {
        throw new UsageError(`pack: ${JSON.stringify(layout)} is a file, and --format layout writes a directory (an oci-archive file takes --format archive)`);
      }
      const result = await pack(positionals[0]!, layout, {
        ref,
        compression: compression as PackCompression,
        deflater: deflater as DeflaterChoice,
        ...(format !== undefined && { format: format as PackFormat }),
        full: values.full === true,
        ...(sourceDateEpoch !== undefined && { sourceDateEpoch }),
        ...(values['history-comment'] !== undefined && { comment: values['history-comment'] }),
        warn: (m) => void io.stderr.write(`ocikit: pack: warning: ${m}\n`),
      });
      if (values.json) await write(io.stdout, `${JSON.stringify(result)}\n`);
      else {
        const what = result.layer
          ? `${result.incremental ? `a layer of changes (${result.added} added, ${result.modified} modified, ${result.removed} removed)` : `one full layer (${result.added} entries)`} ${result.layer.digest}`
          : 'no new layer (nothing changed)';
        await write(io.stdout, `packed ${result.manifest.digest} as ${result.target}:${result.ref} with ${what}\n`);
      }
      return ExitCode.Ok;
    } catch (err) {
      if (err instanceof BundleError || err instanceof DigestError) {
        await write(io.stderr, `ocikit: pack: ${err.message}\n`);
        return err instanceof BundleError && err.code === BundleErrorCode.LayoutNotFound ? ExitCode.Usage : ExitCode.Failure;
      }
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
        await write(io.stderr, `ocikit: pack: ${(err as Error).message}\n`);
        return ExitCode.Failure;
      }
      throw err;
    }
  },
};
