/**
 * `ocikit unpack` against `umoci unpack` and against GNU tar extracting each
 * layer in order, on a realistic image built here from files on the machine:
 * three layers, tens of thousands of files, a few hundred MB, whiteouts
 * (made by umoci repack after deleting files). Everything in tmpfs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_TMP, compare, peakMemoryMiB } from './harness.js';
import type { Benchmark } from './registry.js';

const OCIKIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/conformance/bin/ocikit.js');
const WORK = path.join(BENCH_TMP, 'ocikit-bench-unpack');
export const LAYOUT = path.join(WORK, 'layout');
const REF = 'bench';

function run(argv: string[], cwd = WORK): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-800)}`);
}

/** Copy host trees into the build bundle's rootfs (cp -a keeps modes, links, times). */
function copyIn(rootfs: string, sources: string[]): void {
  for (const src of sources) {
    if (!existsSync(src)) continue;
    const dest = path.join(rootfs, path.dirname(src));
    mkdirSync(dest, { recursive: true });
    run(['cp', '-a', src, dest]);
  }
}

/** Build the image once (reused across runs while its layout exists). */
export function buildImage(): { layers: string[]; files: number } {
  const marker = path.join(WORK, 'built');
  if (!existsSync(marker)) {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    const build = path.join(WORK, 'build');
    run(['umoci', 'init', '--layout', LAYOUT]);
    run(['umoci', 'new', '--image', `${LAYOUT}:${REF}`]);
    run(['umoci', 'unpack', '--image', `${LAYOUT}:${REF}`, build]);
    const rootfs = path.join(build, 'rootfs');
    // Layer 1: headers, docs, python, zoneinfo, locales definitions.
    copyIn(rootfs, ['/usr/include', '/usr/share/doc', '/usr/lib/python3', '/usr/share/zoneinfo', '/usr/share/i18n']);
    run(['umoci', 'repack', '--refresh-bundle', '--image', `${LAYOUT}:${REF}`, build]);
    // Layer 2: delete part of layer 1 (whiteouts), add vim runtime and python 3.11.
    const doc = path.join(rootfs, 'usr/share/doc');
    for (const name of readdirSync(doc)) if (name.startsWith('lib')) rmSync(path.join(doc, name), { recursive: true, force: true });
    rmSync(path.join(rootfs, 'usr/include/linux'), { recursive: true, force: true });
    copyIn(rootfs, ['/usr/share/vim', '/usr/lib/python3.11']);
    run(['umoci', 'repack', '--refresh-bundle', '--image', `${LAYOUT}:${REF}`, build]);
    // Layer 3: a directory replaced by a file, more deletions, locales.
    spawnSync('sh', ['-c', `echo replaced > '${path.join(rootfs, 'usr/include/linux')}'`]);
    rmSync(path.join(rootfs, 'usr/share/zoneinfo/America'), { recursive: true, force: true });
    copyIn(rootfs, ['/usr/share/locale']);
    run(['umoci', 'repack', '--refresh-bundle', '--image', `${LAYOUT}:${REF}`, build]);
    run(['umoci', 'gc', '--layout', LAYOUT]);
    rmSync(build, { recursive: true, force: true });
    run(['touch', marker]);
  }
  const index = JSON.parse(readFileSync(path.join(LAYOUT, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const m = index.manifests.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === REF)!;
  const blob = (d: string) => path.join(LAYOUT, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(readFileSync(blob(m.digest), 'utf8')) as { layers: { digest: string }[] };
  const layers = manifest.layers.map((l) => blob(l.digest));
  // Count what one unpack produces, for the throughput column.
  const probe = path.join(WORK, 'probe');
  rmSync(probe, { recursive: true, force: true });
  run(['node', OCIKIT, 'unpack', '--image', `${LAYOUT}:${REF}`, probe]);
  const files = Number(spawnSync('sh', ['-c', `find '${probe}/rootfs' | wc -l`]).stdout.toString().trim());
  rmSync(probe, { recursive: true, force: true });
  return { layers, files };
}

export const benchmark: Benchmark = {
  name: 'unpack',
  description: 'ocikit unpack vs umoci unpack and vs tar -xzf of each layer (3 layers with whiteouts, tmpfs)',
  async run() {
    const { layers, files } = buildImage();
    const sizes = layers.map((l) => statSync(l).size);
    const out = path.join(WORK, 'out');
    const clean = () => rmSync(out, { recursive: true, force: true });
    console.log(`   image: ${layers.length} layers, ${(sizes.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(0)} MiB compressed, ${files} paths unpacked`);
    const ours = { label: 'ocikit unpack', argv: ['node', OCIKIT, 'unpack', '--image', `${LAYOUT}:${REF}`, out], before: clean };
    await compare({
      name: 'unpack: ocikit vs umoci',
      ours,
      theirs: { label: 'umoci unpack', argv: ['umoci', 'unpack', '--image', `${LAYOUT}:${REF}`, out], before: clean },
      rounds: 3,
      units: { count: files, label: 'files' },
      target: { maxRatio: 0.5 },
    });
    const tarAll = ['sh', '-c', `mkdir -p '${out}/rootfs' && ${layers.map((l) => `tar --recursive-unlink -xzf '${l}' -C '${out}/rootfs'`).join(' && ')}`];
    await compare({
      name: 'unpack: ocikit vs tar -xzf per layer',
      ours,
      theirs: { label: 'tar --recursive-unlink -xzf (each layer)', argv: tarAll, before: clean },
      rounds: 3,
      units: { count: files, label: 'files' },
      target: { maxRatio: 1.0 },
    });
    // zstd: Node 20 has no zstd; fzstd's streaming decoder is used (node:zlib's where the runtime has it).
    const zstdLayout = path.join(WORK, 'layout-zstd');
    if (!existsSync(zstdLayout)) run(['skopeo', 'copy', '--dest-compress-format', 'zstd', `oci:${LAYOUT}:${REF}`, `oci:${zstdLayout}:${REF}`]);
    const zindex = JSON.parse(readFileSync(path.join(zstdLayout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const zblob = (d: string) => path.join(zstdLayout, 'blobs', ...d.split(':'));
    const zlayers = (JSON.parse(readFileSync(zblob(zindex.manifests[0]!.digest), 'utf8')) as { layers: { digest: string }[] }).layers.map((l) => zblob(l.digest));
    await compare({
      name: 'unpack zstd: ocikit vs zstd -dc | tar -x per layer',
      ours: { label: 'ocikit unpack (zstd)', argv: ['node', OCIKIT, 'unpack', '--image', `${zstdLayout}:${REF}`, out], before: clean },
      theirs: {
        label: 'zstd -dc | tar -x (each layer)',
        argv: ['sh', '-c', `mkdir -p '${out}/rootfs' && ${zlayers.map((l) => `zstd -dc '${l}' | tar --recursive-unlink -x -C '${out}/rootfs'`).join(' && ')}`],
        before: clean,
      },
      rounds: 3,
      units: { count: files, label: 'files' },
    });
    clean();
    const peak = peakMemoryMiB(['node', OCIKIT, 'unpack', '--image', `${LAYOUT}:${REF}`, out]);
    console.log(`   peak RSS of ocikit unpack: ${peak.toFixed(0)} MiB (target < 300 MiB)`);
    clean();
  },
};
