/**
 * The realistic image the unpack, bundle-digest, repack and validate-cli
 * benchmarks share, built here from files on the machine, in tmpfs, once
 * (kept between runs): three layers, tens of thousands of files, a few
 * hundred MB, whiteouts made by umoci repack after deletions, a directory
 * replaced by a file. And its ocikit unpack, for the benchmarks that start
 * from a bundle.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_TMP, OCIKIT, sh } from './harness.js';

const WORK = path.join(BENCH_TMP, 'ocikit-bench-image');
/** The image layout, and the tag of the image in it. */
export const LAYOUT = path.join(WORK, 'layout');
export const REF = 'bench';
const IMAGE = `${LAYOUT}:${REF}`;

/** Copy host trees into the build bundle's rootfs (cp -a keeps modes, links, times). */
function copyIn(rootfs: string, sources: string[]): void {
  for (const src of sources) {
    if (!existsSync(src)) continue;
    const dest = path.join(rootfs, path.dirname(src));
    mkdirSync(dest, { recursive: true });
    sh(['cp', '-a', src, dest]);
  }
}

function build(): void {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const bundle = path.join(WORK, 'build');
  const rootfs = path.join(bundle, 'rootfs');
  const repack = () => sh(['umoci', 'repack', '--refresh-bundle', '--image', IMAGE, bundle]);
  sh(['umoci', 'init', '--layout', LAYOUT]);
  sh(['umoci', 'new', '--image', IMAGE]);
  sh(['umoci', 'unpack', '--image', IMAGE, bundle]);
  // Layer 1: headers, docs, python, zoneinfo, locales definitions.
  copyIn(rootfs, ['/usr/include', '/usr/share/doc', '/usr/lib/python3', '/usr/share/zoneinfo', '/usr/share/i18n']);
  repack();
  // Layer 2: delete part of layer 1 (whiteouts), add vim runtime and python 3.11.
  const doc = path.join(rootfs, 'usr/share/doc');
  for (const name of readdirSync(doc)) if (name.startsWith('lib')) rmSync(path.join(doc, name), { recursive: true, force: true });
  rmSync(path.join(rootfs, 'usr/include/linux'), { recursive: true, force: true });
  copyIn(rootfs, ['/usr/share/vim', '/usr/lib/python3.11']);
  repack();
  // Layer 3: a directory replaced by a file, more deletions, locales.
  sh(['sh', '-c', `echo replaced > '${path.join(rootfs, 'usr/include/linux')}'`]);
  rmSync(path.join(rootfs, 'usr/share/zoneinfo/America'), { recursive: true, force: true });
  copyIn(rootfs, ['/usr/share/locale']);
  repack();
  sh(['umoci', 'gc', '--layout', LAYOUT]);
  rmSync(bundle, { recursive: true, force: true });
}

/** Layer blobs of the image tagged {@link REF} in `layout`, in order. */
function layersOf(layout: string): string[] {
  const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const m = index.manifests.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === REF)!;
  const blob = (d: string) => path.join(layout, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(readFileSync(blob(m.digest), 'utf8')) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => blob(l.digest));
}

/**
 * The image (built on first use): as built, gzip layers, in {@link LAYOUT};
 * or `zstd`, as skopeo recompresses it, in a layout of its own. Both tagged
 * {@link REF}.
 */
export function realisticImage(compression: 'gzip' | 'zstd' = 'gzip'): { layout: string; ref: string; layers: string[] } {
  const built = path.join(WORK, 'built');
  if (!existsSync(built)) {
    build();
    sh(['touch', built]);
  }
  if (compression === 'gzip') return { layout: LAYOUT, ref: REF, layers: layersOf(LAYOUT) };
  const layout = path.join(WORK, 'layout-zstd');
  const recompressed = path.join(WORK, 'recompressed');
  if (!existsSync(recompressed)) {
    rmSync(layout, { recursive: true, force: true });
    sh(['skopeo', 'copy', '-q', '--dest-compress-format', 'zstd', `oci:${IMAGE}`, `oci:${layout}:${REF}`]);
    sh(['touch', recompressed]);
  }
  return { layout, ref: REF, layers: layersOf(layout) };
}

/**
 * An ocikit unpack of the image (made on first use): the bundle, how many
 * paths and regular files its rootfs holds, and their bytes.
 */
export function realisticBundle(): { layout: string; ref: string; bundle: string; paths: number; files: number; bytes: number } {
  const { layout, ref } = realisticImage();
  const bundle = path.join(WORK, 'bundle');
  const marker = path.join(WORK, 'unpacked');
  if (!existsSync(marker)) {
    rmSync(bundle, { recursive: true, force: true });
    sh(['node', OCIKIT, 'unpack', '--image', IMAGE, bundle]);
    sh(['touch', marker]);
  }
  const count = (find: string) => Number(sh(['sh', '-c', `find '${bundle}/rootfs' ${find} | wc -l`]).trim());
  const bytes = Number(sh(['du', '-sb', path.join(bundle, 'rootfs')]).split('\t')[0]);
  return { layout, ref, bundle, paths: count(''), files: count('-type f'), bytes };
}
