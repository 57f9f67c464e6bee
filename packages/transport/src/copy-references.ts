/** `copy(src, dst)`: open both references, copy, close: what `ocikit copy` runs. */
import { copyImage, type CopyOptions, type CopyResult } from './copy.js';
import { openDestination, openSource, type OpenOptions } from './open.js';
import type { TransportReference } from './reference.js';

/** Copy the image `from` names to `to` (references as text or parsed). */
export async function copy(from: TransportReference | string, to: TransportReference | string, options: CopyOptions & OpenOptions = {}): Promise<CopyResult> {
  const source = await openSource(from, options);
  try {
    const destination = await openDestination(to, options);
    return await copyImage(source, destination, options);
  } finally {
    await source.close();
  }
}
