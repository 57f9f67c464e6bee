/**
 * `docker://` as a copy's two sides, over @ocikit/distribution's Repository,
 * and the opener that makes their clients. The client verifies every byte
 * (manifests against their digest, blobs while they stream) and retries and
 * resumes on its own; this file only maps the ImageSource/ImageDestination
 * contract onto distribution-spec calls. A registry has no commit: a tag is
 * put last (copy.ts writes blobs, then children, then the tagged root), so
 * a failed copy never moves the tag.
 */
import { credentialResolver, RegistryClient, RegistryError, RegistryErrorCode, type RegistryClientOptions, type Repository } from '@ocikit/distribution';
import type { Descriptor } from '@ocikit/image-spec';
import { q, TransportError, TransportErrorCode, TransportSpecRef } from '../errors.js';
import { formatTransportReference, type DockerReference } from '../reference.js';
import { BlobTransfer, type ImageDestination, type ImageSource, type PushBlobOptions } from '../target.js';

/** The tag or digest a reference names (normalisation gives `latest` when it names neither). */
function tagOrDigest(ref: DockerReference): string {
  return ref.reference.digest ?? ref.reference.tag ?? 'latest';
}

/** A repository read as a copy's source. `release` runs at close. */
export class RegistrySource implements ImageSource {
  constructor(
    readonly name: string,
    readonly repository: Repository,
    private readonly reference: string,
    private readonly release: () => void = () => {},
  ) {}

  /** `HOST[:PORT]` of the registry. */
  get registry(): string {
    return this.repository.client.registry;
  }

  async resolve(): Promise<Descriptor> {
    // A registry names one manifest or index per tag: the platform is chosen by the copy's walk.
    try {
      return await this.repository.resolve(this.reference);
    } catch (err) {
      // A HEAD's 404 has no body to tell an unknown tag from an unknown repository: say both, keep the code.
      if (err instanceof RegistryError && (err.code === RegistryErrorCode.ManifestUnknown || err.code === RegistryErrorCode.NameUnknown)) {
        throw new RegistryError(err.code, `${this.name}: registry ${this.registry} has no manifest ${this.reference} in repository ${this.repository.name} (${err.message})`, {
          cause: err,
          ...(err.status !== undefined && { status: err.status }),
          ...(err.url !== undefined && { url: err.url }),
        });
      }
      throw err;
    }
  }

  async fetchManifest(desc: Descriptor): Promise<Buffer> {
    // By digest: the client verifies the bytes against it.
    const { bytes } = await this.repository.getManifest(desc.digest);
    if (bytes.byteLength !== desc.size) {
      throw new RegistryError(RegistryErrorCode.SizeMismatch, `${this.name}: manifest ${desc.digest} is ${bytes.byteLength} bytes, its descriptor says ${desc.size}`);
    }
    return bytes;
  }

  fetchBlob(desc: Descriptor): AsyncIterable<Uint8Array> {
    return this.repository.fetchBlob(desc);
  }

  referrers(desc: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    return this.repository.referrers(desc.digest, artifactType === undefined ? {} : { artifactType });
  }

  close(): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}

/**
 * A repository written as a copy's destination. `mountFrom` names
 * repositories of the same registry whose blobs may be mounted rather than
 * uploaded (distribution-spec "Mounting a blob from another repository").
 */
export class RegistryDestination implements ImageDestination {
  private done = false;

  constructor(
    readonly name: string,
    readonly repository: Repository,
    private readonly reference: string,
    private readonly mountFrom: readonly string[] = [],
    private readonly release: () => void = () => {},
  ) {}

  async hasBlob(desc: Descriptor): Promise<boolean> {
    return (await this.repository.statBlob(desc.digest)) !== undefined;
  }

  async pushBlob(desc: Descriptor, open: (offset: number) => AsyncIterable<Uint8Array>, options: PushBlobOptions = {}): Promise<BlobTransfer> {
    const mountFrom = [...new Set([...this.mountFrom, ...(options.mountFrom ?? [])])].filter((r) => r !== this.repository.name);
    // Sources verify what they yield (target.ts), and the registry checks the digest it is given.
    const how = await this.repository.pushBlob(desc, open, {
      sourceVerified: true,
      ...(mountFrom.length > 0 && { mountFrom }),
      ...(options.onBytes && { onProgress: options.onBytes }),
    });
    return how === 'mounted' ? BlobTransfer.Mounted : BlobTransfer.Copied;
  }

  async hasManifest(desc: Descriptor): Promise<boolean> {
    try {
      await this.repository.resolve(desc.digest);
      return true;
    } catch (err) {
      if (err instanceof RegistryError && (err.code === RegistryErrorCode.ManifestUnknown || err.code === RegistryErrorCode.NameUnknown)) return false;
      throw err;
    }
  }

  async pushManifest(desc: Descriptor, bytes: Buffer): Promise<void> {
    await this.repository.putManifest(desc.digest, bytes, desc.mediaType);
  }

  async tag(desc: Descriptor, bytes: Buffer): Promise<void> {
    if (this.reference.includes(':')) {
      // A destination named by digest takes only that manifest (as containers/image checks it); it is in already.
      if (this.reference !== desc.digest) {
        throw new TransportError(TransportErrorCode.InvalidDestination, `${q(this.name)} names digest ${this.reference}, but the image copied is ${desc.digest}`, { ref: TransportSpecRef.Transports });
      }
      return;
    }
    await this.repository.putManifest(this.reference, bytes, desc.mediaType);
  }

  commit(): Promise<void> {
    this.finish();
    return Promise.resolve();
  }

  abort(): Promise<void> {
    this.finish();
    return Promise.resolve();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.release();
  }
}

/** Which side of a copy a registry is opened for; the CLI's --src-… and --dest-… flags differ by it. */
export type RegistrySide = 'src' | 'dest';

/** The client options for a registry (`HOST[:PORT]`) on one side. */
export type RegistryClientOptionsFor = (registry: string, side: RegistrySide) => RegistryClientOptions | Promise<RegistryClientOptions>;

/** What a destination may learn from the source of the same copy. */
export interface DestinationHints {
  /** The copy's source: a repository of the same registry lends its blobs by mount. */
  source?: ImageSource;
}

/** Opens registry references; absent, docker:// is opened by `registryOpener()`'s defaults. */
export interface RegistryOpener {
  source(ref: DockerReference): Promise<ImageSource>;
  destination(ref: DockerReference, hints?: DestinationHints): Promise<ImageDestination>;
}

/** A RegistryOpener that owns its clients: `close()` closes their idle connections. */
export interface ClosableRegistryOpener extends RegistryOpener {
  close(): void;
}

/** Default client options: TLS verified, credentials from the auth files skopeo, podman and docker write (anonymous when none). */
export const defaultRegistryClientOptions: RegistryClientOptionsFor = () => ({ credentials: credentialResolver() });

/** Options as a key: equal keys share a client. Credentials by identity (they print redacted, so never by value). */
function optionsKey(registry: string, options: RegistryClientOptions, identity: (o: object) => number): string {
  const { credentials, ...rest } = options;
  return JSON.stringify([registry, credentials === undefined ? 'anonymous' : identity(credentials), rest]);
}

/**
 * Open docker:// references with clients made from `clientOptions`, one
 * client per registry and options (a copy within one registry shares its
 * connections and tokens). A destination in the same registry as a
 * registry source mounts the source repository's blobs instead of
 * uploading them. With `closeWithTarget`, a source's close and a
 * destination's commit or abort close the clients (an opener per target).
 */
export function registryOpener(clientOptions: RegistryClientOptionsFor = defaultRegistryClientOptions, options: { closeWithTarget?: boolean } = {}): ClosableRegistryOpener {
  const clients = new Map<string, RegistryClient>();
  const identities = new WeakMap<object, number>();
  let next = 0;
  const identity = (o: object): number => {
    if (!identities.has(o)) identities.set(o, next++);
    return identities.get(o)!;
  };

  async function repository(ref: DockerReference, side: RegistrySide): Promise<Repository> {
    const registry = ref.reference.domain;
    const options = await clientOptions(registry, side);
    const key = optionsKey(registry, options, identity);
    let client = clients.get(key);
    if (client === undefined) {
      client = new RegistryClient(registry, options);
      clients.set(key, client);
    }
    return client.repository(ref.reference.path);
  }

  const close = (): void => {
    for (const c of clients.values()) c.close();
    clients.clear();
  };
  // An opener made for one target (open.ts's default) closes with it.
  const release = options.closeWithTarget === true ? close : () => {};

  return {
    async source(ref) {
      return new RegistrySource(formatTransportReference(ref), await repository(ref, 'src'), tagOrDigest(ref), release);
    },
    async destination(ref, hints = {}) {
      const repo = await repository(ref, 'dest');
      const from = hints.source;
      const mountFrom = from instanceof RegistrySource && from.registry === repo.client.registry && from.repository.name !== repo.name ? [from.repository.name] : [];
      return new RegistryDestination(formatTransportReference(ref), repo, tagOrDigest(ref), mountFrom, release);
    },
    close,
  };
}
