/**
 * Opening `oci:` and `oci-archive:` references as sources and destinations.
 * An archive source is extracted into scratch (bundle's openLayout) and read
 * as a layout; an archive destination is written in a work tree beside the
 * file and replaces it only at commit (bundle's openLayoutTarget and
 * setLayoutTargetRef), so a failed copy leaves the archive as it was.
 */
import { statSync } from 'node:fs';
import { Layout, LayoutFormat, openLayout, openLayoutTarget } from '@ocikit/bundle';
import { q, TransportError, TransportErrorCode, TransportSpecRef } from '../errors.js';
import { formatTransportReference, TransportName, type LayoutReference } from '../reference.js';
import { LayoutDestination, LayoutSource, type LayoutDestinationOptions } from './layout.js';

/** The ref name a reference gives when it gives none: `latest`, as every ocikit command reads LAYOUT[:REF]. */
export const DEFAULT_REF = 'latest';

/** Open a layout directory or an oci-archive file to read from. */
export async function openLayoutSource(ref: LayoutReference): Promise<LayoutSource> {
  const name = formatTransportReference(ref);
  const target = ref.target ?? DEFAULT_REF;
  checkKind(ref, name);
  if (ref.transport === TransportName.Oci) return new LayoutSource(name, await Layout.open(ref.path), target);
  const opened = await openLayout(ref.path);
  return new LayoutSource(name, opened.layout, target, () => opened.close());
}

/**
 * Open (or create) a layout directory or an oci-archive file to write into.
 * The image is named by the reference's ref name (default `latest`); a digest
 * cannot name it.
 */
export async function openLayoutDestination(ref: LayoutReference, options: LayoutDestinationOptions = {}): Promise<LayoutDestination> {
  const name = formatTransportReference(ref);
  if (ref.target !== undefined && typeof ref.target !== 'string') {
    throw new TransportError(TransportErrorCode.InvalidDestination, `${q(name)}: a destination is named by a ref name, not a digest (${TransportName.Oci}:PATH[:REF])`, { ref: TransportSpecRef.Transports });
  }
  checkKind(ref, name);
  const ocikitRef = ref.target ?? DEFAULT_REF;
  const format = ref.transport === TransportName.OciArchive ? LayoutFormat.Archive : LayoutFormat.Layout;
  const target = await openLayoutTarget(ref.path, format);
  return new LayoutDestination(name, target, ocikitRef, options);
}

/** `oci:` names a directory and `oci-archive:` a file: a mix-up is named with the form that fits. */
function checkKind(ref: LayoutReference, name: string): void {
  const st = statSync(ref.path, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (ref.transport === TransportName.OciArchive && st.isDirectory()) {
    throw new TransportError(TransportErrorCode.InvalidReference, `${q(name)}: ${q(ref.path)} is a directory; an image layout directory is named oci:${ref.path}`, { ref: TransportSpecRef.Transports });
  }
  if (ref.transport === TransportName.Oci && st.isFile()) {
    throw new TransportError(TransportErrorCode.InvalidReference, `${q(name)}: ${q(ref.path)} is a file; an oci-archive file is named oci-archive:${ref.path}`, { ref: TransportSpecRef.Transports });
  }
}
