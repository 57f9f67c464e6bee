/** `copy(src, dst)`: open both references, copy, close: what `ocikit copy` runs. */
import { copyImage, planCopy, type CopyOptions, type CopyResult } from './copy.js';
import { q, TransportError, TransportErrorCode, TransportSpecRef } from './errors.js';
import { openDestination, openSource, type OpenOptions } from './open.js';
import { formatTransportReference, parseTransportReference, TransportName, type TransportReference } from './reference.js';

/**
 * Copy the image `from` names to `to` (references as text or parsed). The
 * source's graph is read and checked first, so a missing reference, a
 * platform no manifest is for or a manifest refused never creates or opens
 * the destination.
 */
export async function copy(from: TransportReference | string, to: TransportReference | string, options: CopyOptions & OpenOptions = {}): Promise<CopyResult> {
  const source = await openSource(from, options);
  try {
    const plan = await planCopy(source, options);
    const dst = typeof to === 'string' ? parseTransportReference(to) : to;
    // A registry destination named by digest takes only that manifest: refused before anything is written.
    if (dst.transport === TransportName.Docker && dst.reference.digest !== undefined && dst.reference.digest !== plan.root.digest) {
      throw new TransportError(TransportErrorCode.InvalidDestination, `${q(formatTransportReference(dst))} names digest ${dst.reference.digest}, but the image copied is ${plan.root.digest}`, {
        ref: TransportSpecRef.Transports,
      });
    }
    const destination = await openDestination(dst, { ...options, source });
    return await copyImage(source, destination, options, plan);
  } finally {
    await source.close();
  }
}
