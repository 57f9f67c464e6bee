/**
 * fast-check arbitraries of valid documents, built from the types: every
 * field the type has, each drawn from values the spec allows. A document
 * drawn from these must always validate.
 */
import fc from 'fast-check';
import { digestOf } from '@ocikit/digest';
import type { Descriptor, Annotations } from '../types/descriptor.js';
import type { Platform } from '../types/platform.js';
import type { ImageManifest } from '../types/manifest.js';
import type { ImageIndex } from '../types/image-index.js';
import type { ImageConfig, History } from '../types/image-config.js';
import type { ImageLayout } from '../types/image-layout.js';
import type { DockerManifest, DockerManifestList } from '../types/docker-schema2.js';
import { MediaType } from '../media-types.js';
import { Annotation } from '../annotations.js';

const lower = 'abcdefghijklmnopqrstuvwxyz';
const alnum = `${lower}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;
const chars = (set: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...set), minLength: min, maxLength: max });

/** An RFC 6838 restricted name: first a letter or digit, then up to 126 of the allowed characters. */
const restrictedName = fc.tuple(chars(alnum, 1, 1), chars(`${alnum}!#$&^_.+-`, 0, 30)).map(([a, b]) => a + b);

export const mediaType = fc.oneof(
  fc.constantFrom(...Object.values(MediaType)),
  fc.tuple(restrictedName, restrictedName).map(([t, s]) => `${t}/${s}`),
);

const hex = (n: number) => chars('0123456789abcdef', n, n);

/** Digests of every registered algorithm, and grammatical unregistered ones (valid with a warning). */
export const digest = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
  hex(64).map((h) => `blake3:${h}`),
);

export const size = fc.nat({ max: Number.MAX_SAFE_INTEGER });

/** Annotation keys in reverse domain notation, plus pre-defined keys with values of their format. */
export const annotations: fc.Arbitrary<Annotations> = fc
  .tuple(
    fc.dictionary(
      fc.tuple(fc.constantFrom('com', 'io', 'org.example', 'dev'), chars(lower, 1, 8), chars(`${alnum}-_`, 0, 8)).map(([a, b, c]) => `${a}.${b}${c}`),
      fc.string(),
      { maxKeys: 4 },
    ),
    fc.option(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()), { nil: undefined }),
    fc.option(fc.constantFrom('v1.0', 'stable-release', 'latest', '1.2.3-rc.1', 'a--b/c@d:e+f'), { nil: undefined }),
    fc.option(fc.webUrl(), { nil: undefined }),
  )
  .map(([rest, created, refName, url]) => {
    const a: Annotations = { ...rest };
    if (created !== undefined) a[Annotation.Created] = created;
    if (refName !== undefined) a[Annotation.RefName] = refName;
    if (url !== undefined) a[Annotation.Source] = url;
    return a;
  });

const ARCH_VARIANTS: readonly [string, readonly (string | undefined)[]][] = [
  ['amd64', [undefined, 'v1', 'v2', 'v3', 'v4']],
  ['arm64', [undefined, 'v8', 'v8.1', 'v9']],
  ['arm', [undefined, 'v6', 'v7', 'v8']],
  ['ppc64le', [undefined, 'power8', 'power9']],
  ['riscv64', [undefined, 'rva20u64', 'rva22u64']],
  ['s390x', [undefined]],
  ['386', [undefined]],
];

export const platform: fc.Arbitrary<Platform> = fc
  .tuple(
    fc.constantFrom('linux', 'windows', 'freebsd', 'darwin'),
    fc.constantFrom(...ARCH_VARIANTS),
    fc.nat(10),
    fc.option(fc.constantFrom('10.0.14393.1066', '10.0.17763.5206'), { nil: undefined }),
    fc.boolean(),
  )
  .map(([os, [architecture, variants], pick, osVersion, win32k]) => {
    const p: Platform = { architecture, os };
    const variant = variants[pick % variants.length];
    if (variant !== undefined) p.variant = variant;
    if (os === 'windows' && osVersion !== undefined) p['os.version'] = osVersion;
    if (os === 'windows' && win32k) p['os.features'] = ['win32k'];
    return p;
  });

/** Embedded content and its matching descriptor fields. */
const embedded = fc.uint8Array({ maxLength: 64 }).map((bytes) => ({
  data: Buffer.from(bytes).toString('base64'),
  size: bytes.length,
  digest: digestOf(bytes),
}));

export const descriptor: fc.Arbitrary<Descriptor> = fc
  .record(
    {
      mediaType,
      digest,
      size,
      urls: fc.array(fc.webUrl(), { maxLength: 2 }),
      annotations,
      artifactType: mediaType,
      platform,
      embedded,
    },
    { requiredKeys: ['mediaType', 'digest', 'size'] },
  )
  .map(({ embedded: e, ...d }) => (e ? { ...d, ...e } : d));

export const imageManifest: fc.Arbitrary<ImageManifest> = fc
  .record(
    {
      schemaVersion: fc.constant(2),
      mediaType: fc.constant(MediaType.ImageManifest),
      artifactType: mediaType,
      config: descriptor,
      layers: fc.array(descriptor, { minLength: 1, maxLength: 4 }),
      subject: descriptor,
      annotations,
    },
    { requiredKeys: ['schemaVersion', 'mediaType', 'config', 'layers'] },
  )
  .map((m) => (m.config.mediaType === MediaType.EmptyJSON && m.artifactType === undefined ? { ...m, artifactType: 'application/vnd.example+type' } : m));

export const imageIndex: fc.Arbitrary<ImageIndex> = fc.record(
  {
    schemaVersion: fc.constant(2),
    mediaType: fc.constant(MediaType.ImageIndex),
    artifactType: mediaType,
    manifests: fc.array(descriptor, { maxLength: 4 }),
    subject: descriptor,
    annotations,
  },
  { requiredKeys: ['schemaVersion', 'mediaType', 'manifests'] },
);

const rfc3339 = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());

export const imageConfig: fc.Arbitrary<ImageConfig> = fc
  .tuple(
    platform,
    fc.array(hex(64).map((h) => `sha256:${h}`), { maxLength: 5 }),
    fc.array(fc.boolean(), { maxLength: 4 }),
    fc.record(
      {
        User: fc.constantFrom('alice', '1000', '1000:1000', 'user:group'),
        ExposedPorts: fc.dictionary(fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.constantFrom('', '/tcp', '/udp')).map(([p, s]) => `${p}${s}`), fc.constant({})),
        Env: fc.array(fc.tuple(chars(`${alnum}_`, 1, 10), fc.string()).map(([k, v]) => `${k}=${v}`), { maxLength: 4 }),
        Entrypoint: fc.array(fc.string(), { maxLength: 3 }),
        Cmd: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: null }),
        Volumes: fc.dictionary(fc.string({ minLength: 1 }).map((s) => `/${s}`), fc.constant({})),
        WorkingDir: fc.string(),
        Labels: annotations,
        StopSignal: fc.constantFrom('SIGTERM', 'SIGKILL', 'SIGRTMIN+3', '9'),
        ArgsEscaped: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    fc.option(rfc3339, { nil: undefined }),
    fc.option(fc.string(), { nil: undefined }),
  )
  .map(([p, diffIds, extraEmpty, config, created, author]) => {
    // One history entry per layer, plus empty_layer entries: the counts agree.
    const history: History[] = diffIds.map((_, i) => ({ created_by: `step ${i}` }));
    for (const e of extraEmpty) if (e) history.push({ created_by: 'ENV', empty_layer: true });
    const c: ImageConfig = { architecture: p.architecture, os: p.os, config, rootfs: { type: 'layers', diff_ids: diffIds }, history };
    if (p.variant !== undefined) c.variant = p.variant;
    if (p['os.version'] !== undefined) c['os.version'] = p['os.version'];
    if (created !== undefined) c.created = created;
    if (author !== undefined) c.author = author;
    return c;
  });

export const imageLayout: fc.Arbitrary<ImageLayout> = fc.constant({ imageLayoutVersion: '1.0.0' });

const dockerDescriptor = (types: readonly string[]) =>
  fc.record({ mediaType: fc.constantFrom(...types), size, digest, urls: fc.array(fc.webUrl(), { maxLength: 1 }) }, { requiredKeys: ['mediaType', 'size', 'digest'] });

export const dockerManifest: fc.Arbitrary<DockerManifest> = fc.record({
  schemaVersion: fc.constant(2),
  mediaType: fc.constant(MediaType.DockerManifest),
  config: dockerDescriptor([MediaType.DockerImageConfig]),
  layers: fc.array(dockerDescriptor([MediaType.DockerLayerGzip, MediaType.DockerForeignLayerGzip]), { maxLength: 4 }),
});

export const dockerManifestList: fc.Arbitrary<DockerManifestList> = fc.record({
  schemaVersion: fc.constant(2),
  mediaType: fc.constant(MediaType.DockerManifestList),
  manifests: fc.array(
    fc.record({ mediaType: fc.constant(MediaType.DockerManifest), size, digest, platform: platform.map((p) => ({ ...p, features: ['sse4'] })) }),
    { maxLength: 4 },
  ),
});

/** The arbitrary of each kind. */
export const documentArbitraries = {
  descriptor,
  'image-manifest': imageManifest,
  'image-index': imageIndex,
  'image-config': imageConfig,
  'oci-layout': imageLayout,
  'docker-manifest': dockerManifest,
  'docker-manifest-list': dockerManifestList,
} as const;
