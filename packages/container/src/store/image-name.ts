/**
 * Image references as `ocikit run` takes them, and the names images get in
 * the store. A bare `busybox` is `docker://docker.io/library/busybox:latest`
 * (the familiar-name normalisation of the reference grammar); local sources
 * are named `localhost/<file name>:<ref>`, as podman names what it loads.
 */
import path from 'node:path';
import { formatTransportReference, parseTransportReference, TransportName, type TransportReference } from '@ocikit/transport';

const TRANSPORT_PREFIX = /^(?:docker:\/\/|oci:|oci-archive:)/;

/** `busybox`, `docker://…`, `oci:PATH[:REF]`, `oci-archive:PATH[:REF]` to a parsed reference. */
export function parseImageName(text: string): TransportReference {
  return parseTransportReference(TRANSPORT_PREFIX.test(text) ? text : `docker://${text}`);
}

/** Lower-case letters, digits and `._-`: a path component of a ref name. */
function component(text: string): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return cleaned || 'image';
}

/** The name an image is kept under in the store (a valid `org.opencontainers.image.ref.name`). */
export function storeName(ref: TransportReference): string {
  if (ref.transport === TransportName.Docker) {
    const { domain, path: repo, tag, digest } = ref.reference;
    return `${domain}/${repo}${digest !== undefined ? `@${digest}` : `:${tag ?? 'latest'}`}`;
  }
  const base = component(path.basename(ref.path).replace(/\.(tar|oci)$/i, ''));
  const target = ref.target;
  if (target !== undefined && typeof target !== 'string') return `localhost/${base}@${target.digest}`;
  return `localhost/${base}:${target ?? 'latest'}`;
}

/** The reference as text, for messages. */
export function describeImage(ref: TransportReference): string {
  return formatTransportReference(ref);
}
