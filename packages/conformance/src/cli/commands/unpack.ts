import { parseArgs } from 'node:util';
import { BundleError, BundleErrorCode, unpack, parseImageArg, type UnpackProgress } from '@ocikit/bundle';
import { DigestError } from '@ocikit/digest';
import { isSpecVersion, SPEC_VERSIONS } from '@ocikit/runtime-spec';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write, type Command } from '../io.js';

const usage = `Usage: ocikit unpack --image LAYOUT[:REF] [--platform OS/ARCH[/VARIANT]] [--rootless] [--max-size N] [--volumes]
                     [--oci-version V] [--json] BUNDLE

Unpack an image from an OCI image layout (a directory or an oci-archive tar)
into a new runtime bundle: BUNDLE/rootfs, BUNDLE/config.json and the record
of where it came from (BUNDLE/ocikit.json, BUNDLE/ocikit.tree).

  --image LAYOUT[:REF]  layout and reference name (default REF: latest)
  --platform P          platform to choose from a multi-platform index (default: this host's)
  --rootless            do not chown; skip device nodes; write a rootless config
  --max-size N          refuse layers unpacking to more than N bytes in total (suffixes K, M, G)
  --volumes             turn Config.Volumes into bind mounts of BUNDLE/volumes/<n>
  --oci-version V       config.json declares runtime-spec release V, newer fields left out
                        (${SPEC_VERSIONS.join(', ')}; default ${SPEC_VERSIONS[SPEC_VERSIONS.length - 1]}); e.g. 1.0.2 for crun 1.8
  --json                print the result as JSON

BUNDLE must not exist or be an empty directory; a failed unpack leaves nothing behind.
Exit status: 0 unpacked, 1 the image was refused (invalid, mismatched, hostile), 2 usage error or unreadable layout.
`;

const SUFFIX: { readonly [s: string]: number } = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function parseSize(text: string): number {
  const m = /^([0-9]+)([KMGT]?)i?B?$/i.exec(text);
  const n = m ? Number(m[1]) * SUFFIX[m[2]!.toUpperCase()]! : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`unpack: --max-size must be a positive byte count (e.g. 512M), not "${text}"`);
  return n;
}

function progressBar(io: Parameters<Command['run']>[1]): ((p: UnpackProgress) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100 && p.bytesRead < p.bytesTotal) return;
    last = now;
    const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : 1;
    const width = 30;
    const done = Math.round(frac * width);
    io.stderr.write(`\rlayer ${p.layer}/${p.layers} [${'#'.repeat(done)}${' '.repeat(width - done)}] ${(frac * 100).toFixed(0).padStart(3)}%`);
  };
}

export const command: Command = {
  summary: 'unpack an image from an OCI layout into a runtime bundle (like umoci unpack)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        image: { type: 'string', short: 'i' },
        platform: { type: 'string' },
        rootless: { type: 'boolean' },
        'max-size': { type: 'string' },
        volumes: { type: 'boolean' },
        'oci-version': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (values.image === undefined) throw new UsageError('unpack: --image LAYOUT[:REF] is required');
    if (positionals.length !== 1) throw new UsageError('unpack: name exactly one BUNDLE directory');
    const maxSize = values['max-size'] === undefined ? undefined : parseSize(values['max-size']);
    const ociVersion = values['oci-version'];
    if (ociVersion !== undefined && !isSpecVersion(ociVersion)) throw new UsageError(`unpack: --oci-version must be one of ${SPEC_VERSIONS.join(', ')}, not "${ociVersion}"`);
    const progress = progressBar(io);
    try {
      const { layout, ref } = parseImageArg(values.image);
      const result = await unpack(layout, positionals[0]!, {
        ref,
        ...(values.platform !== undefined && { platform: values.platform }),
        ...(maxSize !== undefined && { maxSize }),
        rootless: values.rootless === true,
        volumes: values.volumes === true,
        ...(ociVersion !== undefined && { ociVersion }),
        warn: (m) => void io.stderr.write(`ocikit: unpack: warning: ${m}\n`),
        ...(progress && { progress }),
      });
      if (progress) await write(io.stderr, '\r\x1b[K');
      if (values.json) await write(io.stdout, `${JSON.stringify(result)}\n`);
      else {
        await write(
          io.stdout,
          `unpacked ${result.provenance.manifest.digest} (${result.provenance.layers.length} layers, ${result.entries} entries) into ${result.bundle}\n`,
        );
      }
      return ExitCode.Ok;
    } catch (err) {
      if (progress) await write(io.stderr, '\r\x1b[K');
      if (err instanceof BundleError || err instanceof DigestError) {
        await write(io.stderr, `ocikit: unpack: ${err.message}\n`);
        return err instanceof BundleError && err.code === BundleErrorCode.LayoutNotFound ? ExitCode.Usage : ExitCode.Failure;
      }
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
        // A system error (permissions, space): one line, not a stack.
        await write(io.stderr, `ocikit: unpack: ${(err as Error).message}\n`);
        return ExitCode.Failure;
      }
      throw err;
    }
  },
};
