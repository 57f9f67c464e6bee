/**
 * What a layout holds, a line per image: every descriptor of index.json
 * (named or not) and, under an index, every manifest it lists, with the
 * platform and the bytes each weighs (`ocikit ls`).
 */
import { DigestError } from '@ocikit/digest';
import type { Descriptor } from '@ocikit/image-spec';
import { BundleError } from '../errors.js';
import { CONFIG_TYPES, indexKind, INDEX_TYPES, manifestKind, MANIFEST_TYPES, readDocument } from './documents.js';
import { readIndex, refName } from './refs.js';
import { MAX_INDEX_DEPTH } from './resolve.js';

/** One line of a listing. */
export interface ListedImage {
  /** The ref name of the index.json descriptor this line comes from; null when it carries none. */
  ref: string | null;
  digest: string;
  mediaType: string;
  /** `os/arch[/variant]` as the descriptor, else the image config, states it; null for an index or an artifact. */
  platform: string | null;
  /**
   * Bytes of the document and of every blob it names (through an index, its
   * manifests' blobs), each blob counted once, by the sizes descriptors
   * declare; null when a manifest or index on the way cannot be read.
   */
  size: number | null;
  /** For a manifest listed by an index: that index's digest; null at the top. */
  index: string | null;
}

/** Every image of the layout at `dir`, in index.json order, each index followed by its manifests. */
export async function listImages(dir: string): Promise<ListedImage[]> {
  const lines: ListedImage[] = [];
  for (const d of (await readIndex(dir)).manifests) await listDescriptor(dir, d, { ref: refName(d) ?? null, index: null, depth: 0 }, lines);
  return lines;
}

/** `os/arch[/variant]` exactly as stated (not normalised: a listing shows what is stored). */
function platformText(p: { os: string; architecture: string; variant?: string | null | undefined }): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * Add the line for `d` (and for an index, the lines of its manifests) and
 * return the blobs it weighs, digest to size; undefined when a document on
 * the way cannot be read (missing, corrupt, invalid: a listing shows it
 * without a size rather than failing).
 */
async function listDescriptor(dir: string, d: Descriptor, at: { ref: string | null; index: string | null; depth: number }, lines: ListedImage[]): Promise<Map<string, number> | undefined> {
  const line: ListedImage = { ref: at.ref, digest: d.digest, mediaType: d.mediaType, platform: d.platform ? platformText(d.platform) : null, size: null, index: at.index };
  lines.push(line);
  let blobs: Map<string, number> | undefined = new Map([[d.digest, d.size]]);
  try {
    if (INDEX_TYPES.includes(d.mediaType) && at.depth < MAX_INDEX_DEPTH) {
      const index = await readDocument(dir, d, indexKind(d.mediaType));
      for (const m of index.manifests) {
        const inner = await listDescriptor(dir, m, { ref: at.ref, index: d.digest, depth: at.depth + 1 }, lines);
        blobs = inner === undefined || blobs === undefined ? undefined : new Map([...blobs, ...inner]);
      }
    } else if (MANIFEST_TYPES.includes(d.mediaType)) {
      const manifest = await readDocument(dir, d, manifestKind(d.mediaType));
      for (const b of [manifest.config, ...manifest.layers]) blobs.set(b.digest, b.size);
      if (line.platform === null && CONFIG_TYPES.includes(manifest.config.mediaType)) line.platform = platformText(await readDocument(dir, manifest.config, 'image-config'));
    }
  } catch (err) {
    if (!(err instanceof BundleError || err instanceof DigestError)) throw err;
    blobs = undefined;
  }
  if (blobs !== undefined) line.size = [...blobs.values()].reduce((a, b) => a + b, 0);
  return blobs;
}
