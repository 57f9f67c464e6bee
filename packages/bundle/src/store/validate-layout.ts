/**
 * Validation of a whole image layout directory (image-spec image-layout.md):
 * the `oci-layout` marker and `index.json`, every blob read once and checked
 * against its name (digest) and every descriptor that points at it (size,
 * media type), every manifest, index and config validated by kind through
 * @ocikit/image-spec, every descriptor reachable from index.json present,
 * unreachable blobs reported, `subject` links resolved. With `deep`, each
 * layer is decompressed to check its diff_id and its tar stream.
 *
 * Findings never throw: a broken layout is data. Their `path` is a file path
 * inside the layout, followed by `#` and a JSON Pointer for findings inside a
 * document (`blobs/sha256/ab…#/layers/0/digest`).
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createFileDigestPool, isValidDigest, parseDigest, isSupported, type FileDigestPool } from '@ocikit/digest';
import type { Descriptor, Finding, ValidationResult } from '@ocikit/image-spec';
import { kindForMediaType } from '@ocikit/image-spec/media-types';
import { FileError, FileErrorCode, Limits, openRegularFile, readRegularFile, tooLargeFinding, type Limit } from '@ocikit/validation';
import { BundleError, BundleErrorCode, BundleSpecRef } from '../errors.js';
import { scratchOwner, strayScratch } from '../fs/scratch.js';
import { layerCompression } from '../layer/media-types.js';
import type { TarEntry } from '../tar/reader.js';

// Loaded once the blobs are hashing: the validators (and, for --deep, the
// decompressors) load on this thread while the workers read, rather than
// before the first byte is hashed.
const loadValidators = () => import('@ocikit/image-spec');
const loadLayerChecks = () => Promise.all([import('../layer/extract.js'), import('../layer/apply.js')]);

export interface ValidateLayoutOptions {
  /** Also decompress every layer: diff_id, tar well-formedness, unsafe and duplicate paths, bare whiteouts. */
  deep?: boolean;
  /** Blobs hashed at once (default: the number of cores). */
  concurrency?: number;
  /** Told each blob as it is verified (for a progress bar). */
  onBlob?: (done: number, total: number) => void;
}

const LAYER_REF = BundleSpecRef.LayerMediaTypes;

interface BlobFact {
  /** Relative path, `blobs/<alg>/<encoded>`. */
  file: string;
  digest: string;
  /** Bytes hashed; -1 until hashed. */
  size: number;
  /** Size on disk when listed, to schedule the largest blobs first. */
  bytes: number;
  /** Set when the content does not hash to the name. */
  actual?: string;
}

class Collector {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];
  must(path: string, code: string, message: string, ref: string): void {
    this.errors.push({ path, code, message, level: 'MUST', ref });
  }
  should(path: string, code: string, message: string, ref: string): void {
    this.warnings.push({ path, code, message, level: 'SHOULD', ref });
  }
  /** A document's own findings, placed at `file#pointer`. */
  document(file: string, r: ValidationResult): void {
    for (const f of r.errors) this.errors.push({ ...f, path: `${file}#${f.path}` });
    for (const f of r.warnings) this.warnings.push({ ...f, path: `${file}#${f.path}` });
  }
  /** Another collector's findings, by path. */
  merge(other: Collector): void {
    const byPath = (a: Finding, b: Finding) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    this.errors.push(...other.errors.sort(byPath));
    this.warnings.push(...other.warnings.sort(byPath));
  }
  result(): ValidationResult {
    return { valid: this.errors.length === 0, errors: this.errors, warnings: this.warnings };
  }
}

const blobFile = (digest: string): string => {
  const { algorithm, encoded } = parseDigest(digest);
  return `blobs/${algorithm}/${encoded}`;
};

/** Every file under blobs/, checked for the `blobs/<alg>/<encoded>` shape; the rest reported. */
async function listBlobs(dir: string, c: Collector): Promise<BlobFact[]> {
  const facts: BlobFact[] = [];
  let algs;
  try {
    algs = await readdir(path.join(dir, 'blobs'), { withFileTypes: true });
  } catch {
    c.must('blobs', 'LAYOUT_BLOBS_MISSING', 'expected a blobs directory, found none', BundleSpecRef.Blobs);
    return facts;
  }
  for (const alg of algs) {
    const algPath = `blobs/${alg.name}`;
    if (!alg.isDirectory()) {
      c.must(algPath, 'LAYOUT_BLOB_PATH', `expected only algorithm directories in blobs/, found ${alg.isSymbolicLink() ? 'a symlink' : 'a file'}`, BundleSpecRef.Blobs);
      continue;
    }
    for (const e of await readdir(path.join(dir, algPath), { withFileTypes: true })) {
      const file = `${algPath}/${e.name}`;
      const digest = `${alg.name}:${e.name}`;
      if (!e.isFile()) {
        c.must(file, 'LAYOUT_BLOB_PATH', `expected a regular file named by its digest, found ${e.isSymbolicLink() ? 'a symlink' : e.isDirectory() ? 'a directory' : 'a special file'}`, BundleSpecRef.Blobs);
        continue;
      }
      if (!isValidDigest(digest)) {
        c.must(file, 'LAYOUT_BLOB_PATH', `expected blobs/<algorithm>/<encoded> to form a valid digest, found ${JSON.stringify(digest)}`, BundleSpecRef.Blobs);
        continue;
      }
      if (!isSupported(digest)) {
        c.should(file, 'LAYOUT_BLOB_UNSUPPORTED', `cannot verify a blob of unsupported algorithm ${alg.name}`, BundleSpecRef.Blobs);
        continue;
      }
      facts.push({ file, digest, size: -1, bytes: (await lstat(path.join(dir, file))).size });
    }
  }
  return facts;
}

/** Hash every blob once, both cores busy; sizes and actual digests recorded. */
async function hashBlobs(dir: string, blobs: BlobFact[], c: Collector, options: ValidateLayoutOptions): Promise<void> {
  const pool: FileDigestPool = createFileDigestPool({ callingThread: true, ...(options.concurrency !== undefined && { concurrency: options.concurrency }) });
  let done = 0;
  // Largest first: one blob's hash cannot be split across cores, so the
  // biggest ones must start at once for both cores to finish together.
  const order = [...blobs].sort((a, b) => b.bytes - a.bytes);
  try {
    await Promise.all(
      order.map(async (b) => {
        const { algorithm } = parseDigest(b.digest);
        try {
          const r = await pool.digest(path.join(dir, b.file), algorithm as 'sha256');
          b.size = r.size;
          if (r.digest !== b.digest) {
            b.actual = r.digest;
            c.must(b.file, 'BLOB_DIGEST_MISMATCH', `expected content hashing to ${b.digest}, found ${r.digest}`, BundleSpecRef.Blobs);
          }
        } catch (err) {
          c.must(b.file, 'BLOB_UNREADABLE', `cannot read blob: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, BundleSpecRef.Blobs);
        }
        options.onBlob?.(++done, blobs.length);
      }),
    );
  } finally {
    await pool.close();
  }
}

/**
 * A document of the layout, read as unpack and pack read it: a regular file
 * within `limit` (symlinks followed only for the top-level files). Anything
 * else is reported at `file`, with `code` for a missing or irregular file,
 * and gives undefined.
 */
function readLayoutDocument(dir: string, file: string, limit: Limit, c: Collector, code: string, expected: string, ref: string): Buffer | undefined {
  try {
    return readRegularFile(path.join(dir, file), limit, { followSymlinks: !file.startsWith('blobs/') });
  } catch (err) {
    if (err instanceof FileError && err.code === FileErrorCode.TooLarge) c.errors.push(tooLargeFinding(file, err));
    else c.must(file, code, `expected ${expected}, found ${err instanceof FileError ? err.found : 'none'}`, ref);
    return undefined;
  }
}

/** Validate an image layout directory. Never throws for a bad layout; throws only when `dir` is not a directory. */
export async function validateLayout(dir: string, options: ValidateLayoutOptions = {}): Promise<ValidationResult> {
  const c = new Collector();
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new BundleError(BundleErrorCode.InvalidLayout, `${dir} is not a directory`, { ref: BundleSpecRef.Layout });

  // Every blob is read once, both cores busy; documents are checked meanwhile.
  // Blob findings come in directory and completion order: collected apart,
  // then placed after the oci-layout findings in path order, so reports are stable.
  const blobFindings = new Collector();
  const blobs = await listBlobs(dir, blobFindings);
  const byDigest = new Map(blobs.map((b) => [b.digest, b]));
  const hashed = hashBlobs(dir, blobs, blobFindings, options);
  hashed.catch(() => undefined); // awaited below
  const { validate } = await loadValidators();

  // oci-layout: REQUIRED, a JSON object with imageLayoutVersion.
  const marker = readLayoutDocument(dir, 'oci-layout', Limits.ManifestBytes, c, 'LAYOUT_MARKER_MISSING', 'an oci-layout file', BundleSpecRef.Layout);
  if (marker) c.document('oci-layout', validate('oci-layout', marker));
  for (const name of strayScratch(dir)) {
    c.should(name, 'LAYOUT_LEFTOVER_SCRATCH', `expected no temp files, found one left by process ${scratchOwner(name)?.split('.')[0]}, which is gone (the next write to the layout or \`ocikit gc\` removes it)`, BundleSpecRef.Layout);
  }
  await hashed;
  c.merge(blobFindings);

  const indexBytes = readLayoutDocument(dir, 'index.json', Limits.ManifestBytes, c, 'LAYOUT_INDEX_MISSING', 'an index.json file', BundleSpecRef.IndexJson);
  if (!indexBytes) return c.result();
  const indexResult = validate('image-index', indexBytes);
  c.document('index.json', indexResult);
  if (!indexResult.valid) return c.result();
  const index = JSON.parse(indexBytes.toString('utf8')) as { manifests: Descriptor[] };

  const reached = new Set<string>();
  const subjects: { from: string; desc: Descriptor }[] = [];
  const layers: { desc: Descriptor; diffId: string | undefined; from: string }[] = [];

  /** Check one descriptor against the blob it names; returns the blob when usable. */
  const follow = (desc: Descriptor, from: string): BlobFact | undefined => {
    if (!isValidDigest(desc.digest) || !isSupported(desc.digest)) return undefined; // the document's own findings say why
    const blob = byDigest.get(desc.digest);
    if (!blob) {
      c.must(from, 'BLOB_MISSING', `expected blob ${blobFile(desc.digest)} for ${desc.mediaType}, found none`, BundleSpecRef.Blobs);
      return undefined;
    }
    reached.add(desc.digest);
    if (blob.size >= 0 && blob.size !== desc.size) {
      c.must(from, 'BLOB_SIZE_MISMATCH', `expected ${blob.file} to be ${desc.size} bytes as its descriptor says, found ${blob.size}`, BundleSpecRef.Descriptor);
      return undefined;
    }
    return blob.actual === undefined && blob.size >= 0 ? blob : undefined;
  };

  const visited = new Set<string>();
  const walk = async (desc: Descriptor, from: string): Promise<void> => {
    const blob = follow(desc, from);
    const kind = kindForMediaType(desc.mediaType);
    if (!blob || kind === undefined) return;
    if (visited.has(desc.digest)) return;
    visited.add(desc.digest);
    const bytes = readLayoutDocument(dir, blob.file, kind === 'image-config' ? Limits.ConfigBytes : Limits.ManifestBytes, c, 'LAYOUT_BLOB_PATH', 'a regular file named by its digest', BundleSpecRef.Blobs);
    if (!bytes) return;
    const r = validate(kind, bytes);
    c.document(blob.file, r);
    if (!r.valid) return;
    const doc = JSON.parse(bytes.toString('utf8')) as {
      mediaType?: string;
      manifests?: Descriptor[];
      config?: Descriptor;
      layers?: Descriptor[];
      subject?: Descriptor;
    };
    if (doc.mediaType !== undefined && doc.mediaType !== desc.mediaType && kind !== 'image-config') {
      c.must(from, 'DESCRIPTOR_MEDIA_TYPE_MISMATCH', `expected the descriptor's mediaType ${desc.mediaType} to match the document's ${doc.mediaType}`, BundleSpecRef.Descriptor);
    }
    if (doc.subject) subjects.push({ from: `${blob.file}#/subject`, desc: doc.subject });
    if (kind === 'image-index' || kind === 'docker-manifest-list') {
      for (const [i, m] of (doc.manifests ?? []).entries()) await walk(m, `${blob.file}#/manifests/${i}`);
      return;
    }
    if (kind === 'image-manifest' || kind === 'docker-manifest') {
      let diffIds: string[] | undefined;
      if (doc.config) {
        const cfgBlob = follow(doc.config, `${blob.file}#/config`);
        const cfgKind = kindForMediaType(doc.config.mediaType);
        if (cfgBlob && cfgKind === 'image-config') {
          const cfgBytes = readLayoutDocument(dir, cfgBlob.file, Limits.ConfigBytes, c, 'LAYOUT_BLOB_PATH', 'a regular file named by its digest', BundleSpecRef.Blobs);
          if (cfgBytes) {
            const cr = validate('image-config', cfgBytes);
            c.document(cfgBlob.file, cr);
            if (cr.valid) diffIds = (JSON.parse(cfgBytes.toString('utf8')) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
          }
        }
      }
      // An artifact (image-spec manifest.md "Guidelines for Artifact Usage": a config that is no
      // image config, such as the empty one of a signature) has layers that are blobs, not changesets.
      const image = doc.config !== undefined && kindForMediaType(doc.config.mediaType) === 'image-config';
      for (const [i, l] of (doc.layers ?? []).entries()) {
        const from2 = `${blob.file}#/layers/${i}`;
        if (image) {
          try {
            layerCompression(l.mediaType);
          } catch {
            c.should(from2, 'LAYER_MEDIA_TYPE_UNKNOWN', `expected a layer media type this tool knows (tar, tar+gzip, tar+zstd), found ${l.mediaType}`, LAYER_REF);
          }
        }
        if (follow(l, from2) && image) layers.push({ desc: l, diffId: diffIds?.[i], from: from2 });
      }
    }
  };

  for (const [i, m] of index.manifests.entries()) await walk(m, `index.json#/manifests/${i}`);

  // Referrers name their subject by descriptor; within a layout it should be there.
  for (const s of subjects) {
    if (!byDigest.has(s.desc.digest)) {
      c.should(s.from, 'SUBJECT_MISSING', `expected the subject ${s.desc.digest} in this layout, found no such blob`, 'https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md#image-manifest-property-descriptions');
    } else reached.add(s.desc.digest);
  }
  for (const b of blobs) {
    if (!reached.has(b.digest)) c.should(b.file, 'BLOB_UNREFERENCED', 'blob is not reachable from index.json', BundleSpecRef.Blobs);
  }

  if (options.deep) {
    const checks = await loadLayerChecks();
    const checked = new Set<string>();
    for (const l of layers) {
      if (checked.has(l.desc.digest)) continue;
      checked.add(l.desc.digest);
      await checkLayer(checks, dir, l.desc, l.diffId, l.from, c);
    }
  }
  return c.result();
}

/** Decompress one layer: its diff_id, a well-formed tar, and names a changeset may carry. */
async function checkLayer([{ extractLayer }, { normalizeEntryName, isAbsoluteEntryName, OPAQUE_WHITEOUT, WHITEOUT_PREFIX }]: Awaited<ReturnType<typeof loadLayerChecks>>, dir: string, desc: Descriptor, diffId: string | undefined, from: string, c: Collector): Promise<void> {
  const file = blobFile(desc.digest);
  if (diffId === undefined) {
    c.must(from, 'LAYER_DIFF_ID_MISSING', 'expected a rootfs.diff_ids entry for this layer in the config, found none', BundleSpecRef.DiffIds);
    return;
  }
  try {
    layerCompression(desc.mediaType);
  } catch {
    return; // unknown media type: reported above, nothing to decompress with
  }
  const q = JSON.stringify;
  const seen = new Set<string>();
  const handler = {
    entry(e: TarEntry): void {
      let name: string;
      try {
        name = normalizeEntryName(e.name);
      } catch (err) {
        c.must(file, 'LAYER_UNSAFE_PATH', `entry ${q(e.name)}: ${(err as Error).message}`, BundleSpecRef.Changesets);
        return;
      }
      // Unpacked as GNU tar, umoci and containerd do (the "/" dropped), but
      // layer.md archives paths relative to the root: a SHOULD, not a MUST.
      if (isAbsoluteEntryName(e.name)) {
        c.should(file, 'LAYER_ABSOLUTE_PATH', `expected a name relative to the root, found ${q(e.name)} (unpacked as ${q(name === '' ? './' : name)})`, BundleSpecRef.RelativeNames);
      }
      if (e.type === ('hardlink' satisfies TarEntry['type'])) {
        try {
          const target = normalizeEntryName(e.linkname, 'hardlink target');
          if (isAbsoluteEntryName(e.linkname)) {
            c.should(file, 'LAYER_ABSOLUTE_LINK', `entry ${q(e.name)}: expected a hardlink target relative to the root, found ${q(e.linkname)} (linked to ${q(target)})`, BundleSpecRef.Hardlinks);
          }
        } catch (err) {
          c.must(file, 'LAYER_UNSAFE_PATH', `entry ${q(e.name)}: ${(err as Error).message}`, BundleSpecRef.Hardlinks);
        }
      }
      const base = name.slice(name.lastIndexOf('/') + 1);
      if (base.startsWith(WHITEOUT_PREFIX) && base !== OPAQUE_WHITEOUT && base.length === WHITEOUT_PREFIX.length) {
        c.must(file, 'LAYER_BARE_WHITEOUT', `entry ${q(e.name)} is a whiteout that names nothing`, BundleSpecRef.Whiteouts);
      }
      if (seen.has(name)) c.should(file, 'LAYER_DUPLICATE_PATH', `entry ${q(name === '' ? './' : name)} appears more than once (the last one wins)`, BundleSpecRef.Changesets);
      seen.add(name);
    },
    data(): void {},
    end(): void {},
  };
  let stream: ReturnType<typeof createReadStream> | undefined;
  try {
    stream = createReadStream('', { fd: openRegularFile(path.join(dir, file), { followSymlinks: false }).fd, highWaterMark: 1 << 20 });
    const r = await extractLayer(stream as AsyncIterable<Buffer>, { mediaType: desc.mediaType, diffId, handler, label: desc.digest });
    if (!r.terminated) {
      c.should(file, 'LAYER_TAR_UNTERMINATED', 'expected the tar end-of-archive marker (two zero blocks), found the stream ends after the last entry (GNU tar reports "Unexpected EOF"; umoci 0.4.7 insert writes such layers)', LAYER_REF);
    }
  } catch (err) {
    if (err instanceof BundleError) c.must(file, `LAYER_${err.code}`, err.message, err.ref ?? BundleSpecRef.Changesets);
    else if (err instanceof FileError) c.must(file, 'LAYOUT_BLOB_PATH', `expected a regular file named by its digest, found ${err.found ?? 'a file too large'}`, BundleSpecRef.Blobs);
    else throw err;
  } finally {
    stream?.destroy();
  }
}
