/**
 * Property tests of every document parser behind `ocikit validate`: for each
 * document kind, every field of a sample document is replaced in turn by a
 * large string, by nesting 100,000 levels deep, and by an object of 20,000
 * keys; one field of each kind by 5 MB. Whatever the input, validate
 * answers (valid or not) with no crash: exit 0 or 1, nothing on stderr, a
 * result for every file. Special files among them are named, never waited on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { runCli } from '../test-support/run-cli.js';
import { scratchDir } from '../test-support/scratch.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const DIGEST = `sha256:${'a'.repeat(64)}`;
const DESCRIPTOR = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST, size: 32, annotations: { 'org.opencontainers.image.ref.name': 'v1' }, data: 'aGVsbG8=' };
const SAMPLES: Record<string, Json> = {
  descriptor: DESCRIPTOR,
  'image-manifest': { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { ...DESCRIPTOR, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [DESCRIPTOR], annotations: { a: 'b' } },
  'image-index': { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...DESCRIPTOR, mediaType: 'application/vnd.oci.image.manifest.v1+json', platform: { os: 'linux', architecture: 'amd64' } }] },
  'image-config': { architecture: 'amd64', os: 'linux', config: { Env: ['A=1'], Cmd: ['/bin/sh'], User: '0:0', ExposedPorts: { '80/tcp': {} } }, rootfs: { type: 'layers', diff_ids: [DIGEST] }, history: [{ created_by: 'x' }] },
  'oci-layout': { imageLayoutVersion: '1.0.0' },
  'runtime-config': { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { args: ['/bin/sh'], cwd: '/', env: ['A=1'], user: { uid: 0, gid: 0 } }, mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }], linux: { namespaces: [{ type: 'pid' }] } },
};

/** Paths to every value in a document. */
function leafPaths(doc: Json, at: (string | number)[] = []): (string | number)[][] {
  if (doc === null || typeof doc !== 'object') return [at];
  const keys: (string | number)[] = Array.isArray(doc) ? doc.map((_, i) => i) : Object.keys(doc);
  return [at, ...keys.flatMap((k) => leafPaths((doc as Record<string | number, Json>)[k]!, [...at, k]))];
}

function replaced(doc: Json, at: (string | number)[], value: Json): Json {
  if (at.length === 0) return value;
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as object) }) as Record<string | number, Json>;
  copy[at[0]!] = replaced(copy[at[0]!]!, at.slice(1), value);
  return copy;
}

const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const manyKeys = (n: number): Json => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

let tmp: string;
let server: Server;
beforeAll(() => {
  tmp = scratchDir('chaos-hostile');
});
afterAll(() => {
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('chaos: hostile documents', () => {
  it.each(Object.keys(SAMPLES))('%s: every field huge, deep or wide, validated without a crash', async (kind) => {
    const dir = path.join(tmp, kind);
    mkdirSync(dir);
    const sample = SAMPLES[kind]!;
    let n = 0;
    const put = (text: string): void => writeFileSync(path.join(dir, `${String(n++).padStart(4, '0')}.json`), text);
    const paths = leafPaths(sample);
    for (const at of paths) {
      put(JSON.stringify(replaced(sample, at, 'x'.repeat(64 << 10))));
      put(JSON.stringify(replaced(sample, at, manyKeys(20_000))));
      const marker = '"__DEEP__"';
      put(JSON.stringify(replaced(sample, at, '__DEEP__')).replace(marker, deep(100_000)));
    }
    // One 5 MB field (base64 where the kind has embedded data), in the middle of the document.
    put(JSON.stringify(replaced(sample, paths.find((p) => p.at(-1) === 'data') ?? paths.at(-1)!, 'QUJD'.repeat(5 << 18))));
    const r = await runCli(['validate', '--json', '--type', kind, '--max-bytes', String(64 << 20), dir]);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    const { results } = JSON.parse(r.stdout) as { results: { path: string; valid: boolean }[] };
    expect(results).toHaveLength(n);
  });

  it('special files in a directory are named on one line each, never read or waited on', async () => {
    const dir = path.join(tmp, 'special');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify(SAMPLES['image-index']));
    execFileSync('mkfifo', [path.join(dir, 'fifo.json')]);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'socket.json'), resolve));
    for (const target of [path.join(dir, 'fifo.json'), path.join(dir, 'socket.json'), '/dev/zero']) {
      const r = await runCli(['validate', target]);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    const all = await runCli(['validate', dir]);
    expect([0, 1, 2]).toContain(all.code);
    expect(all.stderr).not.toMatch(/\n\s+at /);
  });
});
