/**
 * The image `ocikit sign` and `ocikit verify` work on, named as `ocikit
 * copy` names images: in a registry (`docker://`), where signatures live
 * beside the image (cosign's `.sig` tag, referrers, lookaside storage), or
 * in a layout (`oci:`, `oci-archive:`), where they are referrers in the
 * layout's index (an archive is rewritten whole, under its lock, to add one). Which identity a signature names: the registry name of the
 * image, or `--identity`, which a layout needs: it has no registry name.
 */
import { RegistryClient, type Repository } from '@ocikit/distribution';
import path from 'node:path';
import { changeOciArchive, Layout, openLayout } from '@ocikit/bundle';
import { parseTransportReference, TransportError, TransportName, DEFAULT_REF, type DockerReference, type LayoutReference } from '@ocikit/transport';
import { UsageError } from './exit-codes.js';
import type { CommandIO } from './io.js';
import { registryClientOptions } from './registry-options.js';

/** An image in a registry. */
export interface RegistryImage {
  kind: 'registry';
  ref: DockerReference;
  repository: Repository;
  /** The tag or digest the reference names (`latest` when neither). */
  reference: string;
  /** `HOST/REPO:TAG` or `HOST/REPO@DIGEST`: the name of the image in its registry. */
  name: string;
  /** The identity a signature names: `--identity`, else `name`. */
  identity: string;
  close(): void;
}

/** An image in a layout directory or an oci-archive. */
export interface LayoutImage {
  kind: 'layout';
  ref: LayoutReference;
  /**
   * Run `use` on the layout. An oci-archive opened to be written is changed
   * in place: extracted under its lock, then written back whole when `use`
   * succeeds (entries dated $SOURCE_DATE_EPOCH, else now).
   */
  withLayout<T>(use: (layout: Layout) => Promise<T>): Promise<T>;
  /** The ref name or digest in the layout. */
  reference: string;
  /** The identity a signature names: `--identity` (a layout has no registry name). */
  identity: string;
  close(): void;
}

export type SignedImage = RegistryImage | LayoutImage;

/** Parse the one IMAGE of `command`; a mistake in it is a usage error. */
export function imageArgument(command: string, positionals: string[]): DockerReference | LayoutReference {
  if (positionals.length !== 1) throw new UsageError(`${command}: name exactly one IMAGE (docker://HOST/REPO[:TAG|@DIGEST], oci:PATH[:REF] or oci-archive:PATH[:REF])`);
  try {
    return parseTransportReference(positionals[0]!);
  } catch (err) {
    if (err instanceof TransportError) throw new UsageError(`${command}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Open the image `positionals` names; `writable` when signatures will be added to it. */
export async function openSignedImage(command: string, values: Record<string, unknown>, positionals: string[], io: CommandIO, writable: boolean): Promise<SignedImage> {
  const ref = imageArgument(command, positionals);
  const given = values['identity'] as string | undefined;
  if (ref.transport === TransportName.Docker) {
    const { domain, path: repoName, tag, digest } = ref.reference;
    const reference = digest ?? tag ?? 'latest';
    const name = `${domain}/${repoName}${digest !== undefined ? '@' : ':'}${reference}`;
    const client = new RegistryClient(domain, await registryClientOptions(command, values, domain, undefined, io));
    return { kind: 'registry', ref, repository: client.repository(repoName), reference, name, identity: given ?? name, close: () => client.close() };
  }
  if (given === undefined) {
    throw new UsageError(`${command}: an image in a layout has no registry name; say which the signature names with --identity HOST/REPO:TAG`);
  }
  const reference = typeof ref.target === 'string' ? ref.target : (ref.target?.digest ?? DEFAULT_REF);
  const image = { kind: 'layout' as const, ref, reference, identity: given, close: () => {} };
  if (ref.transport === TransportName.Oci) {
    const layout = await Layout.open(ref.path);
    return { ...image, withLayout: (use) => use(layout) };
  }
  const archive = path.resolve(io.cwd, ref.path);
  if (writable) return { ...image, withLayout: (use) => changeOciArchive(archive, archiveDate(command, io), use) };
  const opened = await openLayout(archive);
  return { ...image, withLayout: (use) => use(opened.layout), close: () => opened.close() };
}

/** When entries of a rewritten archive are dated: $SOURCE_DATE_EPOCH (reproducible), else now. */
function archiveDate(command: string, io: CommandIO): number {
  const sde = io.env['SOURCE_DATE_EPOCH'];
  if (sde === undefined || sde === '') return Math.floor(Date.now() / 1000);
  if (!/^[0-9]{1,12}$/.test(sde)) throw new UsageError(`${command}: SOURCE_DATE_EPOCH must be whole seconds since the epoch, not ${JSON.stringify(sde)}`);
  return Number(sde);
}
