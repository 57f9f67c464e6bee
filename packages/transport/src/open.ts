/**
 * From a reference to a source or destination: the one place that knows
 * which transport is implemented by which target. The docker:// target
 * (over @ocikit/distribution) plugs in through `registry` until it lands here.
 */
import { TransportError, TransportErrorCode, TransportSpecRef, q } from './errors.js';
import { formatTransportReference, parseTransportReference, TransportName, type DockerReference, type TransportReference } from './reference.js';
import type { ImageDestination, ImageSource } from './target.js';
import { openLayoutDestination, openLayoutSource } from './targets/archive.js';

/** Opens registry references; absent, docker:// is UNSUPPORTED_TRANSPORT. */
export interface RegistryOpener {
  source(ref: DockerReference): Promise<ImageSource>;
  destination(ref: DockerReference): Promise<ImageDestination>;
}

export interface OpenOptions {
  /** How docker:// references are opened. */
  registry?: RegistryOpener;
  /** Modification time (seconds since the epoch) of entries of an oci-archive written (default: now). */
  created?: number;
}

function parsed(ref: TransportReference | string): TransportReference {
  return typeof ref === 'string' ? parseTransportReference(ref) : ref;
}

function noRegistry(ref: DockerReference): TransportError {
  return new TransportError(TransportErrorCode.UnsupportedTransport, `${q(formatTransportReference(ref))}: the docker:// transport is not available here yet`, { ref: TransportSpecRef.Transports });
}

/** Open a reference (text or parsed) to read an image from. */
export function openSource(ref: TransportReference | string, options: OpenOptions = {}): Promise<ImageSource> {
  const r = parsed(ref);
  if (r.transport === TransportName.Docker) return options.registry ? options.registry.source(r) : Promise.reject(noRegistry(r));
  return openLayoutSource(r);
}

/** Open a reference (text or parsed) to write an image to. */
export function openDestination(ref: TransportReference | string, options: OpenOptions = {}): Promise<ImageDestination> {
  const r = parsed(ref);
  if (r.transport === TransportName.Docker) return options.registry ? options.registry.destination(r) : Promise.reject(noRegistry(r));
  return openLayoutDestination(r, { ...(options.created !== undefined && { created: options.created }) });
}
