/**
 * The limits ocikit sets on what it reads, in one table. Every reader takes
 * its limit from here (`validate`, `unpack`, `pack`, `bundle digest`, the
 * layout store), so one file gets the same answer whichever command reads
 * it, and every refusal names the limit it hit with `describeLimit`.
 */

/** A limit: its name (as messages print it), its value and what the value counts. */
export interface Limit {
  readonly name: string;
  readonly value: number;
  readonly unit: 'bytes' | 'levels' | 'symlinks';
}

export const Limits = {
  /**
   * An image manifest or index (a layout's index.json included) and
   * `oci-layout`: the size registries are expected to accept for a manifest
   * (distribution-spec), and far beyond what any real one needs.
   */
  ManifestBytes: { name: 'MAX_MANIFEST_BYTES', value: 4 << 20, unit: 'bytes' },
  /**
   * An image config or a bundle's config.json; also the largest document
   * `ocikit validate` reads before it knows the kind (`--max-bytes`).
   */
  ConfigBytes: { name: 'MAX_CONFIG_BYTES', value: 64 << 20, unit: 'bytes' },
  /** ocikit's records beside a bundle (`ocikit.json`, `ocikit.tree`: one line per rootfs entry). */
  RecordBytes: { name: 'MAX_RECORD_BYTES', value: 256 << 20, unit: 'bytes' },
  /**
   * Nesting of JSON arrays and objects (RFC 8259 section 9 lets a parser set
   * one). OCI documents nest about a dozen levels deep.
   */
  JsonDepth: { name: 'MAX_JSON_DEPTH', value: 256, unit: 'levels' },
  /**
   * A path: a tar entry name or link target, a path resolved inside a
   * rootfs, and the host path it resolves to. Linux's PATH_MAX: the kernel
   * refuses longer paths (ENAMETOOLONG), so no runtime could use one. It
   * also bounds the depth of every tree ocikit writes (under 2048 levels).
   */
  PathBytes: { name: 'MAX_PATH_BYTES', value: 4096, unit: 'bytes' },
  /** Symlinks expanded while resolving one path: Linux's MAXSYMLINKS (more is ELOOP). */
  Symlinks: { name: 'MAX_SYMLINKS', value: 40, unit: 'symlinks' },
  /** A tar extended header (PAX records, GNU long names). */
  TarMetaBytes: { name: 'MAX_TAR_META_BYTES', value: 1 << 20, unit: 'bytes' },
} as const satisfies Record<string, Limit>;

/** How every message names a limit: `MAX_MANIFEST_BYTES (4194304 bytes)`. */
export function describeLimit(limit: Limit): string {
  return `${limit.name} (${limit.value} ${limit.unit})`;
}
