/**
 * Write an image layout as an `oci-archive`: a tar of the layout directory
 * (oci-layout, index.json, blobs/<alg>/<encoded>), entries sorted, headers
 * normalised, written to a temp file beside the target and renamed.
 */
import { closeSync, constants, fsyncSync, openSync, readdirSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { scratchFile } from '../fs/scratch.js';
import path from 'node:path';
import { TarEntryType } from '../tar/reader.js';
import { padding, TAR_END, tarHeader } from '../tar/writer.js';

/** Write every file of `layoutDir` (oci-layout, index.json, blobs) to `file` as a tar. */
export function writeOciArchive(layoutDir: string, file: string, mtime: number): void {
  const names: { name: string; dir: boolean }[] = [
    { name: 'oci-layout', dir: false },
    { name: 'index.json', dir: false },
    { name: 'blobs', dir: true },
  ];
  for (const alg of readdirSync(path.join(layoutDir, 'blobs')).sort()) {
    names.push({ name: `blobs/${alg}`, dir: true });
    for (const enc of readdirSync(path.join(layoutDir, 'blobs', alg)).sort()) names.push({ name: `blobs/${alg}/${enc}`, dir: false });
  }
  const scratch = scratchFile(path.dirname(file));
  const tmp = scratch.path;
  let out: number;
  try {
    out = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (err) {
    scratch.keep();
    throw err;
  }
  const put = (b: Buffer): void => {
    for (let off = 0; off < b.length; ) off += writeSync(out, b, off, b.length - off);
  };
  const buf = Buffer.allocUnsafeSlow(1 << 20);
  try {
    for (const { name, dir } of names) {
      const host = path.join(layoutDir, name);
      if (dir) {
        put(tarHeader({ name, type: TarEntryType.Directory, mode: 0o755, uid: 0, gid: 0, size: 0, mtime }));
        continue;
      }
      const size = statSync(host).size;
      put(tarHeader({ name, type: TarEntryType.File, mode: 0o644, uid: 0, gid: 0, size, mtime }));
      const fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        let left = size;
        while (left > 0) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
          if (n === 0) throw new Error(`${host} shrank while it was archived`);
          put(buf.subarray(0, n));
          left -= n;
        }
      } finally {
        closeSync(fd);
      }
      put(Buffer.alloc(padding(size)));
    }
    put(TAR_END);
    fsyncSync(out);
    closeSync(out);
    renameSync(tmp, file);
    scratch.keep();
  } catch (err) {
    try {
      closeSync(out);
    } catch {
      // already closed
    }
    scratch.dispose();
    throw err;
  }
}
