/**
 * `oci-archive`: an image layout in a tar file. It is read by extracting
 * the layout's regular files and directories into a private directory
 * (through the confinement module; links and devices are refused), then
 * opening that as a layout.
 */
import { closeSync, createReadStream, fchmodSync, readSync, statSync, writeSync } from 'node:fs';
import { openRegularFile } from '@ocikit/validation';
import { BundleError, BundleErrorCode, q } from '../errors.js';
import { ConfinedRoot } from '../fs/confine.js';
import { scratchDir, ScratchPurpose } from '../fs/scratch.js';
import { normalizeEntryName } from '../layer/apply.js';
import { TarEntryType, TarReader } from '../tar/reader.js';
import { Layout } from './layout.js';

export interface OpenedLayout {
  layout: Layout;
  /** Remove what opening needed (the extracted archive); a no-op for a directory. */
  close(): void;
}

/** Split `LAYOUT[:REF]` (default ref `latest`); a path that exists whole wins over a split. */
export function parseImageArg(arg: string, exists: (p: string) => boolean = defaultExists): { layout: string; ref: string } {
  if (arg === '') throw new BundleError(BundleErrorCode.LayoutNotFound, 'no image layout given');
  const colon = arg.indexOf(':');
  if (colon < 0 || exists(arg)) return { layout: arg, ref: 'latest' };
  const layout = arg.slice(0, colon);
  const ref = arg.slice(colon + 1);
  if (layout === '') throw new BundleError(BundleErrorCode.LayoutNotFound, `${q(arg)} names no layout before ":"`);
  return { layout, ref: ref === '' ? 'latest' : ref };
}

/** Whether anything is at `p` (the default of parseImageArg's and parseImageReference's `exists`). */
export function defaultExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Open a layout directory, or an oci-archive tar file extracted under
 * `scratch` (default: beside the archive's directory in os.tmpdir()).
 */
export async function openLayout(location: string, scratch?: string): Promise<OpenedLayout> {
  let st;
  try {
    st = statSync(location);
  } catch (cause) {
    throw new BundleError(BundleErrorCode.LayoutNotFound, `image layout ${q(location)} does not exist`, { cause });
  }
  if (st.isDirectory()) return { layout: await Layout.open(location), close: () => {} };
  if (!st.isFile()) throw new BundleError(BundleErrorCode.LayoutNotFound, `${q(location)} is neither a layout directory nor an oci-archive file`);
  const base = scratch ?? (await import('node:os')).tmpdir();
  const extracted = scratchDir(base, ScratchPurpose.Archive);
  try {
    await extractArchive(location, extracted.path);
    return { layout: await Layout.open(extracted.path), close: () => extracted.dispose() };
  } catch (err) {
    extracted.dispose();
    throw err;
  }
}

/** The name of an archive entry, placed in the archive when refused. */
function archiveName(file: string, name: string): string {
  try {
    return normalizeEntryName(name);
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    throw new BundleError(err.code, `oci-archive ${q(file)} entry ${q(name)}: ${err.message}`, { cause: err, ...(err.ref !== undefined && { ref: err.ref }), entry: name });
  }
}

const BLOCK = 512;

/**
 * Whether `file` is a tar holding an image layout: an `oci-layout` or
 * `index.json` entry at its top (image-layout.md; skopeo writes blobs/
 * first, so every header is read, but no blob content: it is skipped by
 * seeking). False for anything that is not a readable tar.
 */
export function isOciArchive(file: string): boolean {
  let fd: number;
  try {
    // A FIFO or device is no archive: refused without blocking.
    fd = openRegularFile(file).fd;
  } catch {
    return false;
  }
  let found = false;
  const reader = new TarReader({
    entry(e) {
      let name;
      try {
        name = normalizeEntryName(e.name);
      } catch {
        return;
      }
      if (name === 'oci-layout' || name === 'index.json') found = true;
    },
    data() {},
    end() {},
  });
  const buf = Buffer.alloc(BLOCK);
  try {
    let pos = 0;
    while (!found && !reader.ended) {
      // Read up to the next block boundary: a header then stands alone, and its content is skipped unread.
      const n = readSync(fd, buf, 0, BLOCK - (pos % BLOCK), pos);
      if (n === 0) break;
      reader.write(buf.subarray(0, n));
      pos += n + reader.skipContent();
    }
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
  return found;
}

async function extractArchive(file: string, dir: string): Promise<void> {
  const root = new ConfinedRoot(dir);
  let fd = -1;
  const reader = new TarReader({
    entry(e) {
      const name = archiveName(file, e.name);
      if (name === '') return;
      if (e.type === TarEntryType.Directory) root.mkdir(name, 0o755);
      else if (e.type === TarEntryType.File) {
        fd = root.create(name, 0o644).fd;
        fchmodSync(fd, 0o644);
      } else {
        throw new BundleError(BundleErrorCode.InvalidLayout, `oci-archive ${q(file)} holds ${e.type} ${q(e.name)}; a layout has only files and directories`);
      }
    },
    data(chunk) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    },
    end() {
      if (fd >= 0) closeSync(fd);
      fd = -1;
    },
  });
  const stream = createReadStream('', { fd: openRegularFile(file).fd, highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) reader.write(chunk);
    reader.finish();
  } finally {
    stream.destroy();
    if (fd >= 0) closeSync(fd);
  }
}
