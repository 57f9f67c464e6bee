/**
 * Image references with a transport, in the syntax of containers/image
 * (skopeo, podman; docs/containers-transports.5.md):
 *
 * - `oci:PATH[:REF]`, `oci:PATH@DIGEST`: an image layout directory;
 * - `oci-archive:PATH[:REF]`, `oci-archive:PATH@DIGEST`: a layout in a tar file;
 * - `docker://HOST[:PORT]/REPO[:TAG|@DIGEST]`: a registry, the reference
 *   normalised as docker does (`docker://busybox` is
 *   `docker.io/library/busybox:latest`).
 *
 * The name before the first `:` is the transport, as containers/image reads it.
 */
import { parseImageReference, type RefTarget } from '@ocikit/bundle';
import { formatReference, InvalidReferenceError, parseNormalizedReference, type Reference } from '@ocikit/image-spec';
import { DigestError } from '@ocikit/digest';
import { q, TransportError, TransportErrorCode, TransportSpecRef } from './errors.js';

/** The transport names this package reads. */
export const TransportName = {
  Oci: 'oci',
  OciArchive: 'oci-archive',
  Docker: 'docker',
} as const;
export type TransportName = (typeof TransportName)[keyof typeof TransportName];

/** The accepted forms, for messages. */
export const TRANSPORT_FORMS = 'oci:PATH[:REF], oci:PATH@DIGEST, oci-archive:PATH[:REF], docker://HOST[:PORT]/REPO[:TAG|@DIGEST]';

/** A layout directory (`oci:`) or an oci-archive file (`oci-archive:`). */
export interface LayoutReference {
  transport: typeof TransportName.Oci | typeof TransportName.OciArchive;
  /** The directory or archive file, as given. */
  path: string;
  /** The ref name after `:` or `{ digest }` after `@`; undefined when neither was given. */
  target: RefTarget | undefined;
}

/** An image in a registry (`docker://`). */
export interface DockerReference {
  transport: typeof TransportName.Docker;
  /** The normalised reference: domain, repository path, and a tag or a digest. */
  reference: Reference & { domain: string };
}

export type TransportReference = LayoutReference | DockerReference;

/**
 * Parse `TRANSPORT:DETAILS`.
 * @throws TransportError MISSING_TRANSPORT, UNKNOWN_TRANSPORT or INVALID_REFERENCE
 */
export function parseTransportReference(text: string, exists?: (p: string) => boolean): TransportReference {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new TransportError(TransportErrorCode.MissingTransport, `${q(text)} names no transport; expected one of ${TRANSPORT_FORMS}`, { ref: TransportSpecRef.Transports });
  }
  const name = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (name) {
    case TransportName.Oci:
    case TransportName.OciArchive:
      return parseLayoutReference(name, rest, text, exists);
    case TransportName.Docker:
      return parseDockerReference(rest, text);
    default:
      throw new TransportError(TransportErrorCode.UnknownTransport, `${q(text)} names transport ${q(name)}, which ocikit does not know; expected one of ${TRANSPORT_FORMS}`, {
        ref: TransportSpecRef.Transports,
      });
  }
}

function parseLayoutReference(transport: LayoutReference['transport'], rest: string, text: string, exists?: (p: string) => boolean): LayoutReference {
  if (rest === '') throw new TransportError(TransportErrorCode.InvalidReference, `${q(text)} names no path after "${transport}:"`, { ref: TransportSpecRef.Transports });
  let parsed;
  try {
    // bundle's rules: a path that exists whole wins, the first ":" ends the path, "@DIGEST" is a digest.
    parsed = parseImageReference(rest, exists);
  } catch (cause) {
    if (cause instanceof DigestError || (cause as { name?: string } | null)?.name === 'BundleError') {
      throw new TransportError(TransportErrorCode.InvalidReference, `${q(text)}: ${(cause as Error).message}`, { cause, ref: TransportSpecRef.Transports });
    }
    throw cause;
  }
  if (parsed.layout === '') throw new TransportError(TransportErrorCode.InvalidReference, `${q(text)} names no path after "${transport}:"`, { ref: TransportSpecRef.Transports });
  return { transport, path: parsed.layout, target: parsed.target };
}

function parseDockerReference(rest: string, text: string): DockerReference {
  if (!rest.startsWith('//')) {
    throw new TransportError(TransportErrorCode.InvalidReference, `${q(text)}: the docker transport is written docker://HOST[:PORT]/REPO[:TAG|@DIGEST]`, { ref: TransportSpecRef.Transports });
  }
  let reference: Reference;
  try {
    reference = parseNormalizedReference(rest.slice(2));
  } catch (cause) {
    if (cause instanceof InvalidReferenceError) throw new TransportError(TransportErrorCode.InvalidReference, `${q(text)}: ${cause.message}`, { cause, ref: TransportSpecRef.Transports });
    throw cause;
  }
  // containers/image refuses a tag together with a digest: which one is meant is unclear.
  if (reference.tag !== undefined && reference.digest !== undefined) {
    throw new TransportError(TransportErrorCode.InvalidReference, `${q(text)} names both a tag and a digest; name one`, { ref: TransportSpecRef.Transports });
  }
  return { transport: TransportName.Docker, reference: reference as Reference & { domain: string } };
}

/** The text form, which parseTransportReference reads back to the same reference. */
export function formatTransportReference(ref: TransportReference): string {
  if (ref.transport === TransportName.Docker) return `docker://${formatReference(ref.reference)}`;
  const target = ref.target === undefined ? '' : typeof ref.target === 'string' ? `:${ref.target}` : `@${ref.target.digest}`;
  return `${ref.transport}:${ref.path}${target}`;
}
