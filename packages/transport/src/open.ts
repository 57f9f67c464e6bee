/**
 * From a reference to a source or destination: the one place that knows
 * which transport is implemented by which target. docker:// is opened by
 * `options.registry` (the CLI's, with its flags), else by a registry opener
 * with the defaults: TLS verified, credentials from the auth files.
 */
import { parseTransportReference, TransportName, type TransportReference } from './reference.js';
import type { ImageDestination, ImageSource } from './target.js';
import { openLayoutDestination, openLayoutSource } from './targets/archive.js';
import { registryOpener, type RegistryOpener } from './targets/registry.js';

export interface OpenOptions {
  /** How docker:// references are opened (default: `registryOpener()` for each, closed with its target). */
  registry?: RegistryOpener;
  /** A destination's source in the same copy: a registry destination mounts from a source repository of the same registry. */
  source?: ImageSource;
  /** Modification time (seconds since the epoch) of entries of an oci-archive written (default: now). */
  created?: number;
}

function parsed(ref: TransportReference | string): TransportReference {
  return typeof ref === 'string' ? parseTransportReference(ref) : ref;
}

function opener(options: OpenOptions): RegistryOpener {
  return options.registry ?? registryOpener(undefined, { closeWithTarget: true });
}

/** Open a reference (text or parsed) to read an image from. */
export function openSource(ref: TransportReference | string, options: OpenOptions = {}): Promise<ImageSource> {
  const r = parsed(ref);
  if (r.transport === TransportName.Docker) return opener(options).source(r);
  return openLayoutSource(r);
}

/** Open a reference (text or parsed) to write an image to. */
export function openDestination(ref: TransportReference | string, options: OpenOptions = {}): Promise<ImageDestination> {
  const r = parsed(ref);
  if (r.transport === TransportName.Docker) return opener(options).destination(r, options.source === undefined ? {} : { source: options.source });
  return openLayoutDestination(r, { ...(options.created !== undefined && { created: options.created }) });
}
