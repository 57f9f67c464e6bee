/**
 * The local store: one OCI image layout that every image shares blobs in,
 * named by the references they were pulled by, and the rootfs cache beside
 * it. Pulls go through @ocikit/transport's verified copy; nothing here
 * speaks HTTP or reads a tar.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Layout, sweepScratch, type GcResult, type ListedImage } from '@ocikit/bundle';
import { formatPlatform, hostPlatform, type Descriptor } from '@ocikit/image-spec';
import { copy, TransportName, type CopyProgress, type RegistryOpener, type TransportReference } from '@ocikit/transport';
import { ContainerError, ContainerErrorCode, q } from '../errors.js';
import { describeImage, parseImageName, storeName } from './image-name.js';
import { cachedBundlePath, digestDirName, ensureCachedBundle, removeCachedBundle, type EnsureRootfsOptions } from './rootfs-cache.js';
import { defaultStoreRoot, storePaths, type StorePaths } from './store-root.js';

/** When to pull (podman's `--pull`): `missing` only when the store lacks the name (local sources are always read again, their blobs skipped). */
export const PullPolicy = { Missing: 'missing', Always: 'always', Never: 'never' } as const;
export type PullPolicy = (typeof PullPolicy)[keyof typeof PullPolicy];

export interface PullOptions {
  /** `os/arch[/variant]` (default: this host's). */
  platform?: string;
  policy?: PullPolicy;
  /** How docker:// references are opened (registry flags); default TLS verified, credentials from the auth files. */
  registry?: RegistryOpener;
  /** The digest the image must have (a verified signature's, of its manifest or index): the source is read by it, so a tag that moved since does not matter. */
  digest?: string;
  onProgress?: (p: CopyProgress) => void;
}

/** An image in the store. */
export interface StoredImage {
  /** Its name in the store (`docker.io/library/busybox:latest`, `localhost/app:v1`). */
  name: string;
  /** The image manifest's descriptor. */
  descriptor: Descriptor;
  /** Whether this call copied it in. */
  pulled: boolean;
}

/** One line of `ocikit images`. */
export interface StoreImageLine extends ListedImage {
  /** Whether its unpacked bundle is cached. */
  unpacked: boolean;
}

export class ImageStore {
  readonly paths: StorePaths;
  private layoutPromise: Promise<Layout> | undefined;

  constructor(root: string = defaultStoreRoot()) {
    this.paths = storePaths(path.resolve(root));
  }

  /** The store's layout, created on first use. */
  layout(): Promise<Layout> {
    return (this.layoutPromise ??= (async () => {
      mkdirSync(this.paths.rootfs, { recursive: true, mode: 0o700 });
      mkdirSync(this.paths.containers, { recursive: true, mode: 0o700 });
      return existsSync(path.join(this.paths.layout, 'oci-layout')) ? Layout.open(this.paths.layout) : Layout.create(this.paths.layout);
    })());
  }

  /** The descriptor a name (or `@digest`) stands for in the store, if any. */
  async find(name: string): Promise<Descriptor | undefined> {
    const layout = await this.layout();
    const refs = await layout.listRefs();
    const hit = refs.find((r) => r.name === name) ?? (name.includes(':') && !name.includes('/') ? refs.find((r) => r.descriptor.digest === name) : undefined);
    return hit?.descriptor;
  }

  /**
   * The image `image` names, pulled into the store as `policy` says:
   * `busybox`, `docker://HOST/REPO[:TAG|@DIGEST]`, `oci:PATH[:REF]`,
   * `oci-archive:PATH[:REF]`. Only the platform's manifest is kept.
   */
  async pull(image: string | TransportReference, options: PullOptions = {}): Promise<StoredImage> {
    const ref = typeof image === 'string' ? parseImageName(image) : image;
    const name = storeName(ref);
    const policy = options.policy ?? PullPolicy.Missing;
    const local = ref.transport !== TransportName.Docker;
    const layout = await this.layout();
    if (policy === PullPolicy.Never || (policy === PullPolicy.Missing && !local)) {
      const have = await this.find(name);
      if (have !== undefined && options.digest === undefined) return { name, descriptor: have, pulled: false };
      if (policy === PullPolicy.Never) {
        throw new ContainerError(ContainerErrorCode.NoSuchImage, `${q(describeImage(ref))} is not in the store ${q(this.paths.root)} and --pull=never forbids pulling it`);
      }
    }
    const platform = options.platform ?? formatPlatform(hostPlatform());
    // Pinned to the verified digest: the copy checks the bytes against it (an index's manifest through the index).
    const source: TransportReference =
      options.digest === undefined ? ref : ref.transport === TransportName.Docker ? { ...ref, reference: { ...ref.reference, digest: options.digest } } : { ...ref, target: { digest: options.digest } };
    const result = await copy(source, { transport: TransportName.Oci, path: layout.dir, target: name }, {
      platform,
      ...(options.registry && { registry: options.registry }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    return { name, descriptor: result.descriptor, pulled: true };
  }

  /** The image's unpacked bundle, unpacked now if it is not cached yet. */
  unpacked(manifestDigest: string, options: EnsureRootfsOptions): Promise<{ bundle: string; unpacked: boolean }> {
    return ensureCachedBundle(this.paths, manifestDigest, options);
  }

  /** Every image in the store, with whether it is unpacked. */
  async images(): Promise<StoreImageLine[]> {
    const layout = await this.layout();
    return (await layout.listImages()).map((l) => ({ ...l, unpacked: existsSync(cachedBundlePath(this.paths, l.digest)) }));
  }

  /**
   * Remove an image name (`ocikit rmi`). The unpacked bundle goes with the
   * last name of its manifest, unless a container still uses it: then the
   * removal is refused (IMAGE_IN_USE) unless `force`, which keeps the bundle
   * for the container and removes only the name.
   */
  async removeImage(nameOrText: string, inUse: ReadonlySet<string>, options: { force?: boolean } = {}): Promise<{ name: string; digest: string; bundleRemoved: boolean }> {
    const layout = await this.layout();
    const refs = await layout.listRefs();
    let name = nameOrText;
    if (!refs.some((r) => r.name === name)) {
      try {
        name = storeName(parseImageName(nameOrText));
      } catch {
        // Not a reference either: reported as no such image below.
      }
    }
    const hit = refs.find((r) => r.name === name) ?? refs.find((r) => r.descriptor.digest === nameOrText);
    if (hit === undefined) throw new ContainerError(ContainerErrorCode.NoSuchImage, `no image ${q(nameOrText)} in the store ${q(this.paths.root)} (see ocikit images)`);
    const digest = hit.descriptor.digest;
    const lastName = refs.filter((r) => r.descriptor.digest === digest).length === 1;
    if (lastName && inUse.has(digest) && !options.force) {
      throw new ContainerError(ContainerErrorCode.ImageInUse, `image ${q(hit.name)} is used by a container; remove the container first (ocikit delete NAME) or use --force`);
    }
    await layout.removeRef(hit.name, { mustExist: true });
    const bundleRemoved = lastName && !inUse.has(digest) ? await removeCachedBundle(this.paths, digest) : false;
    return { name: hit.name, digest, bundleRemoved };
  }

  /**
   * Remove what nothing uses (`ocikit prune`): unpacked bundles of manifests
   * no name points at and no container uses, then the layout's unreachable
   * blobs (gc, with its grace period for blobs a pull is still writing).
   */
  async prune(inUse: ReadonlySet<string>, options: { graceMs?: number } = {}): Promise<{ bundles: string[]; gc: GcResult }> {
    const layout = await this.layout();
    const named = new Set((await layout.listRefs()).map((r) => digestDirName(r.descriptor.digest)));
    const used = new Set([...inUse].map(digestDirName));
    const bundles: string[] = [];
    for (const entry of readdirSync(this.paths.rootfs)) {
      if (entry.startsWith('.') || named.has(entry) || used.has(entry)) continue;
      const digest = entry.replace('-', ':');
      await removeCachedBundle(this.paths, digest);
      bundles.push(digest);
    }
    // Removals and unpacks cut short by a killed process.
    sweepScratch(this.paths.rootfs);
    const gc = await layout.gc(options.graceMs === undefined ? {} : { graceMs: options.graceMs });
    return { bundles, gc };
  }
}
