import { BundleError, BundleErrorCode, q } from '../errors.js';
import type { HashPool } from './hash-pool.js';
import { EntryType, type WalkEntry } from './walk.js';

/**
 * Content digests of regular files, computed in parallel by a pool; a file
 * with several hardlinks is hashed once. Files can be added while a tree is
 * still being walked, so hashing overlaps the walk.
 */
export class ContentHasher {
  readonly #pool: HashPool;
  readonly #byInode = new Map<string, Promise<string>>();
  readonly #byEntry = new Map<WalkEntry, Promise<string>>();

  constructor(pool: HashPool) {
    this.#pool = pool;
  }

  add(e: WalkEntry): void {
    if (e.type !== EntryType.File || this.#byEntry.has(e)) return;
    let p = e.inode === undefined ? undefined : this.#byInode.get(e.inode);
    if (p === undefined) {
      p = this.#pool.hash(e.host, e.size).then((r) => {
        if ('error' in r) throw new BundleError(BundleErrorCode.InvalidBundle, `cannot read ${q(e.host.toString())}: ${r.error.message}`);
        if (r.size !== e.size) throw new BundleError(BundleErrorCode.InvalidBundle, `${q(e.host.toString())} changed while it was read (${e.size} bytes, then ${r.size})`);
        return r.digest;
      });
      // Rejections are observed by `digests`; keep Node from reporting them first.
      p.catch(() => undefined);
      if (e.inode !== undefined) this.#byInode.set(e.inode, p);
    }
    this.#byEntry.set(e, p);
  }

  /** Digests of the entries added, by entry. */
  async digests(): Promise<Map<WalkEntry, string>> {
    this.#pool.flush();
    const out = new Map<WalkEntry, string>();
    await Promise.all([...this.#byEntry].map(async ([e, p]) => void out.set(e, await p)));
    return out;
  }
}
