import { ImageStore, PullPolicy, defaultStoreRoot, parseImageName, runImage } from '@ocikit/container';
import { parsePlatform } from '@ocikit/image-spec';
import { registryOpener, TransportError } from '@ocikit/transport';
import { UsageError } from '../exit-codes.js';
import { write } from '../io.js';
import { definePassThroughCommand, enumOption, flags, PROCESS_FLAGS } from '../options.js';
import { bar, bytes, progressLine } from '../progress.js';
import { REGISTRY_FLAGS, registryClientOptions, registryFlagsHelp } from '../registry-options.js';
import { verifyRunImage } from '../run-verification.js';

const usage = `Usage: ocikit run [flags] IMAGE [ARG...]

Run IMAGE under an OCI runtime, as podman run and docker run do: pulled
into the local store if it is not there (every byte verified against its
digest), unpacked once per image (later runs reuse the unpacked tree, under
an overlay mount as root, else a verified copy), its config converted to a
runtime config (image-spec conversion.md), then run by runc or crun.

IMAGE is busybox (docker.io/library/busybox:latest), HOST/REPO[:TAG|@DIGEST],
docker://..., oci:PATH[:REF] or oci-archive:PATH[:REF]. ARGs replace the
image's Cmd; flags after IMAGE are the container's.

  --entrypoint CMD     run CMD instead of the image's Entrypoint (and drop its Cmd)
  -e, --env KEY=VAL    set a variable (KEY alone: this environment's value); repeatable
  -w, --workdir DIR    the working directory in the container
  -u, --user USER[:GROUP]
                       names or ids, resolved in the image's /etc/passwd and /etc/group
  -t, --tty            give the process a terminal
  -i, --interactive    keep stdin attached (it is /dev/null otherwise)
  -d, --detach         start it and print its name; output goes to the store's
                       containers/NAME/output.log
  --rm                 remove the container when its process ends, however it
                       ends (with -d, a small process left behind watches it)
  --name NAME          name the container (default ocikit-<random hex>)
  --runtime NAME|PATH  runc (default), crun, or a path
  --platform OS/ARCH[/VARIANT]
                       the platform to pull from an index (default this host's)
  --read-only          mount the container's rootfs read-only
  --pull POLICY        missing (default: pull when the store lacks the name;
                       oci: and oci-archive: sources are always read again),
                       always, or never
  --verify-key PUB     refuse to run unless IMAGE carries a signature that
                       verifies under PUB (a cosign public key, or armored
                       OpenPGP public keys for simple signing); the run is
                       then pinned to the digest that verified
  --verify-identity REF
                       the identity the signature must name (default
                       HOST/REPO:TAG of IMAGE; oci: images need it)
  -q, --quiet          no progress on stderr

Registry flags:
${registryFlagsHelp()}

The store is $OCIKIT_STORE, else \${XDG_DATA_HOME:-~/.local/share}/ocikit. As
an unprivileged user the container gets a user namespace mapping you to root,
and your /etc/subuid and /etc/subgid ranges as ids 1..N when you have them
and newuidmap is installed (else one id, as runc spec --rootless).

Exit status: the container process's own (128+N when signal N ended it);
SIGINT, SIGTERM and SIGHUP sent to ocikit are passed to it. When ocikit
itself fails: 125 (no such image, no runtime, a usage error, a registry or
runtime error), 126 the command cannot be invoked (not executable, none
given), 127 the command is not in the image.
`;

const options = {
  ...PROCESS_FLAGS,
  entrypoint: { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  quiet: { type: 'boolean', short: 'q' },
  ...flags('boolean', 'rm', 'read-only'),
  ...flags('string', 'name', 'runtime', 'platform', 'pull', 'verify-key', 'verify-identity'),
  ...REGISTRY_FLAGS,
} as const;

/** `--entrypoint CMD`: a JSON array as docker takes it, else one word. */
function entrypointOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) return parsed;
    } catch {
      // Not JSON: a command of that name.
    }
  }
  return value === '' ? [] : [value];
}

export const command = definePassThroughCommand(
  'run',
  {
    summary: 'run an image under runc or crun (like podman run): pull, unpack once, convert, run',
    usage,
    options,
  },
  async ({ values, first, rest }, io) => {
    if (first === undefined) throw new UsageError('run: name the IMAGE to run');
    let ref;
    try {
      ref = parseImageName(first);
    } catch (err) {
      if (err instanceof TransportError) throw new UsageError(`run: ${err.message}`, { cause: err });
      throw err;
    }
    if (values.platform !== undefined) {
      try {
        parsePlatform(values.platform);
      } catch {
        throw new UsageError(`run: --platform must be OS/ARCH[/VARIANT] (e.g. linux/arm64/v8), not ${JSON.stringify(values.platform)}`);
      }
    }
    const pull = enumOption('run', 'pull', values.pull, Object.values(PullPolicy), PullPolicy.Missing);
    const digest = values['verify-key'] !== undefined ? await verifyRunImage(ref, values['verify-key'], values['verify-identity'], values, io) : undefined;
    const line = values.quiet ? undefined : progressLine(io);
    const registry = registryOpener((host) => registryClientOptions('run', values, host, undefined, io));
    const store = new ImageStore(defaultStoreRoot(io.env));
    const entrypoint = entrypointOption(values.entrypoint);
    try {
      const result = await runImage(first, {
        store,
        registry,
        pull,
        args: rest,
        ...(entrypoint !== undefined && { entrypoint }),
        ...(values.env !== undefined && { env: values.env }),
        hostEnv: io.env,
        ...(values.workdir !== undefined && { workdir: values.workdir }),
        ...(values.user !== undefined && { user: values.user }),
        tty: values.tty === true,
        interactive: values.interactive === true,
        detach: values.detach === true,
        autoRemove: values.rm === true,
        readOnly: values['read-only'] === true,
        ...(values.name !== undefined && { name: values.name }),
        ...(values.runtime !== undefined && { runtime: values.runtime }),
        ...(values.platform !== undefined && { platform: values.platform }),
        ...(digest !== undefined && { digest }),
        runtimeEnv: io.env,
        warn: (m) => void io.stderr.write(`ocikit: warning: ${m}\n`),
        ...(line && {
          onPull: (p) => line.update(`pulling ${p.digest.slice(0, 19)} ${bar(p.size > 0 ? p.done / p.size : 1)} ${bytes(p.done)}/${bytes(p.size)}`, p.state !== 'copying'),
          onUnpack: (p) => line.update(`unpacking layer ${p.layer}/${p.layers} ${bar(p.bytesTotal > 0 ? p.bytesRead / p.bytesTotal : 1)} ${bytes(p.bytesRead)}/${bytes(p.bytesTotal)}`),
          onStart: () => line.done(),
        }),
      });
      line?.done();
      if (result.status === undefined) {
        await write(io.stdout, `${result.name}\n`);
        return 0;
      }
      return result.status;
    } finally {
      line?.done();
      registry.close();
    }
  }
);
