/**
 * `--image IMAGE`: the checks' root filesystem from an image, any source
 * `ocikit copy` reads (`busybox`, `docker://HOST/REPO:TAG`, `oci:PATH:REF`,
 * `oci-archive:PATH`). The image is copied, verified, into a layout in the
 * run's work directory and unpacked there by @ocikit/bundle, so the user's
 * store and the image itself are never touched; everything goes with the
 * work directory. The packages are loaded only when an image is asked for.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { RegistryOpener } from '@ocikit/transport';

export interface ImageRootfsOptions {
  /** How docker:// references are opened (the CLI's registry flags). */
  registry?: RegistryOpener;
  /** `os/arch[/variant]`; default this host's. */
  platform?: string;
  /** Unpack as an unprivileged user may (no device nodes, no chown). */
  rootless?: boolean;
}

/** Copy and unpack `image` under `workDir`; the rootfs directory it made. */
export async function imageRootfs(image: string, workDir: string, options: ImageRootfsOptions = {}): Promise<string> {
  const [{ copy, TransportName }, { parseImageName }, { unpack }, { formatPlatform, hostPlatform }] = await Promise.all([
    import('@ocikit/transport'),
    import('@ocikit/container'),
    import('@ocikit/bundle'),
    import('@ocikit/image-spec'),
  ]);
  const layout = path.join(workDir, 'image-layout');
  const bundle = path.join(workDir, 'image-bundle');
  const result = await copy(parseImageName(image), { transport: TransportName.Oci, path: layout, target: 'image' }, {
    platform: options.platform ?? formatPlatform(hostPlatform()),
    ...(options.registry && { registry: options.registry }),
  });
  await unpack(layout, bundle, { ref: { digest: result.descriptor.digest }, rootless: options.rootless ?? process.getuid?.() !== 0 });
  rmSync(layout, { recursive: true, force: true });
  return path.join(bundle, 'rootfs');
}
