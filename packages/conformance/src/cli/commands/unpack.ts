import { unpack, type UnpackProgress } from '@ocikit/bundle';
import { SPEC_VERSIONS } from '@ocikit/runtime-spec';
import { ExitCode, UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { defineCommand, enumOption, flags, imageOption } from '../options.js';
import { bar, bytes, progressLine } from '../progress.js';

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

const options = {
  image: { type: 'string', short: 'i' },
  ...flags('string', 'platform', 'max-size', 'oci-version'),
  ...flags('boolean', 'rootless', 'volumes', 'json'),
} as const;

export const command = defineCommand('unpack', { summary: 'unpack an image from an OCI layout into a runtime bundle (like umoci unpack)', usage, options }, async ({ values, positionals }, io) => {
  const { layout, ref } = imageOption('unpack', values.image);
  if (positionals.length !== 1) throw new UsageError('unpack: name exactly one BUNDLE directory');
  const maxSize = values['max-size'] === undefined ? undefined : parseSize(values['max-size']);
  const ociVersion = values['oci-version'] === undefined ? undefined : enumOption('unpack', 'oci-version', values['oci-version'], SPEC_VERSIONS, values['oci-version']);
  const line = progressLine(io);
  try {
    const result = await unpack(layout, positionals[0]!, {
      ref,
      ...(values.platform !== undefined && { platform: values.platform }),
      ...(maxSize !== undefined && { maxSize }),
      rootless: values.rootless === true,
      volumes: values.volumes === true,
      ...(ociVersion !== undefined && { ociVersion }),
      warn: (m) => void io.stderr.write(`ocikit: unpack: warning: ${m}\n`),
      ...(line && {
        progress: (p: UnpackProgress) =>
          line.update(`layer ${p.layer}/${p.layers} ${bar(p.bytesTotal > 0 ? p.bytesRead / p.bytesTotal : 1)} ${bytes(p.bytesRead)}/${bytes(p.bytesTotal)}, ${p.entries} entries`),
      }),
    });
    line?.done();
    if (values.json) await write(io.stdout, `${JSON.stringify(result)}\n`);
    else {
      await write(
        io.stdout,
        `unpacked ${result.provenance.manifest.digest} (${result.provenance.layers.length} layers, ${result.entries} entries) into ${result.bundle}\n`,
      );
    }
    return ExitCode.Ok;
  } finally {
    line?.done();
  }
});
