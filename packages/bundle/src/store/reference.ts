/**
 * Image references as the command line names them, in the forms of
 * containers/image (skopeo) for layouts: `[oci:|oci-archive:]PATH[:REF]`
 * and `[oci:|oci-archive:]PATH@DIGEST`.
 */
import { isSupportedAlgorithm, parseSupportedDigest } from '@ocikit/digest';
import { defaultExists, parseImageArg } from './archive.js';
import type { RefTarget } from './refs.js';

/** The transports a layout reference may name. */
export const Transport = {
  /** A layout directory. */
  Oci: 'oci',
  /** A layout in a tar file. */
  OciArchive: 'oci-archive',
} as const;
export type Transport = (typeof Transport)[keyof typeof Transport];

export interface ImageReference {
  /** The transport named before the path, when one was. */
  transport: Transport | undefined;
  /** The layout directory or oci-archive file. */
  layout: string;
  /** The name after `:`, or the digest after `@`; undefined when the argument gives neither. */
  target: RefTarget | undefined;
}

/**
 * Split `[TRANSPORT:]PATH[:REF]` or `[TRANSPORT:]PATH@DIGEST`. As for
 * `parseImageArg`, a path that exists whole wins over a split, and the first
 * `:` ends the path; `@` ends it when it comes first and a digest follows.
 */
export function parseImageReference(arg: string, exists: (p: string) => boolean = defaultExists): ImageReference {
  let transport: Transport | undefined;
  let rest = arg;
  for (const t of [Transport.OciArchive, Transport.Oci]) {
    if (arg.startsWith(`${t}:`) && !exists(arg)) {
      transport = t;
      rest = arg.slice(t.length + 1);
      break;
    }
  }
  const at = rest.indexOf('@');
  const colon = rest.indexOf(':');
  if (at > 0 && (colon < 0 || at < colon) && !exists(rest)) {
    const digest = rest.slice(at + 1);
    // `L@sha256:…` means a digest: a wrong one is refused rather than read as a path.
    if (digest.includes(':') && isSupportedAlgorithm(digest.split(':', 1)[0]!)) {
      parseSupportedDigest(digest);
      return { transport, layout: rest.slice(0, at), target: { digest } };
    }
  }
  const { layout, ref } = parseImageArg(rest, exists);
  return { transport, layout, target: layout === rest ? undefined : ref };
}
