/**
 * `ocikit copy` against `skopeo copy` between a layout and a real registry
 * (Debian's docker-registry on loopback, its storage in tmpfs), on the
 * realistic image (realistic-image.ts): three gzip layers, 180 MiB.
 *
 * - Push: layout -> a registry started afresh before every run, so neither
 *   side finds a blob already there (skopeo's blob-info cache is cleared
 *   too, or it would mount what it pushed before).
 * - Pull: registry -> a layout removed before every run.
 * - The registry's own floor: the same blobs pushed by curl (POST, then one
 *   PUT each, all at once), nothing hashed on the client. No client can
 *   push faster than the registry takes the bytes in.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startRegistry, type RunningRegistry } from '@ocikit/testkit/registry';
import { BENCH_TMP, compare, OCIKIT, peakMemoryMiB, sh } from './harness.js';
import { realisticImage } from './realistic-image.js';
import type { Benchmark } from './registry.js';

/** Where root's skopeo keeps what it learnt about blobs (containers/image's blob-info cache). */
const SKOPEO_CACHES = ['/var/lib/containers/cache', path.join(process.env['HOME'] ?? '/root', '.local/share/containers/cache')];

export const benchmark: Benchmark = {
  name: 'copy',
  description: 'ocikit copy vs skopeo copy, layout <-> registry on loopback (realistic image, tmpfs)',
  async run() {
    const { layout, ref } = realisticImage();
    const source = `oci:${layout}:${ref}`;
    let registry: RunningRegistry | undefined;
    const freshRegistry = async () => {
      await registry?.stop();
      for (const c of SKOPEO_CACHES) rmSync(c, { recursive: true, force: true });
      registry = await startRegistry();
    };
    const target = () => `docker://${registry!.host}/bench:v1`;
    const out = path.join(BENCH_TMP, 'ocikit-bench-copy-pulled');
    const clean = () => rmSync(out, { recursive: true, force: true });
    try {
      await compare({
        name: 'push: ocikit copy vs skopeo copy (oci: -> docker://)',
        ours: { label: 'ocikit copy', argv: () => ['node', OCIKIT, 'copy', '--dest-tls-verify=false', source, target()], before: freshRegistry },
        theirs: { label: 'skopeo copy', argv: () => ['skopeo', 'copy', '--dest-tls-verify=false', source, target()], before: freshRegistry },
        rounds: 5,
        target: { maxRatio: 0.7 },
      });
      const blobs = path.join(layout, 'blobs', 'sha256');
      const upload = (hex: string) =>
        `loc=$(curl -sf -D - -o /dev/null -X POST "http://$R/v2/floor/blobs/uploads/" | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); ` +
        `case "$loc" in http*) ;; *) loc="http://$R$loc";; esac; ` +
        `curl -sf -o /dev/null -X PUT -H 'content-type: application/octet-stream' --data-binary @${blobs}/${hex} "$loc&digest=sha256:${hex}"`;
      const floorScript = `${readdirSync(blobs).map((hex) => `(${upload(hex)}) &`).join('\n')}\nfor p in $(jobs -p); do wait "$p" || exit 1; done`;
      await compare({
        name: 'push floor: curl uploads of the same blobs vs skopeo copy (the registry ingest time)',
        ours: { label: 'curl POST+PUT, all at once', argv: () => ['env', `R=${registry!.host}`, 'bash', '-c', floorScript], before: freshRegistry },
        theirs: { label: 'skopeo copy', argv: () => ['skopeo', 'copy', '--dest-tls-verify=false', source, target()], before: freshRegistry },
        rounds: 5,
      });
      await freshRegistry();
      sh(['skopeo', 'copy', '--dest-tls-verify=false', source, target()]);
      const pulled = target();
      await compare({
        name: 'pull: ocikit copy vs skopeo copy (docker:// -> oci:)',
        ours: { label: 'ocikit copy', argv: ['node', OCIKIT, 'copy', '--src-tls-verify=false', pulled, `oci:${out}:v1`], before: clean },
        theirs: { label: 'skopeo copy', argv: ['skopeo', 'copy', '--src-tls-verify=false', pulled, `oci:${out}:v1`], before: clean },
        rounds: 5,
        target: { maxRatio: 0.7 },
      });
      clean();
      const pullPeak = peakMemoryMiB(['node', OCIKIT, 'copy', '--src-tls-verify=false', pulled, `oci:${out}:v1`]);
      await freshRegistry();
      const pushPeak = peakMemoryMiB(['node', OCIKIT, 'copy', '--dest-tls-verify=false', source, target()]);
      console.log(`   peak RSS of ocikit copy: pull ${pullPeak.toFixed(0)} MiB, push ${pushPeak.toFixed(0)} MiB (target < 150 MiB)`);
    } finally {
      clean();
      await registry?.stop();
    }
  },
};
