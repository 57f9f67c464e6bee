import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  DOCUMENT_KINDS,
  Annotation,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON,
  InvalidDocumentError,
  is,
  isDocument,
  parse,
  parseDocument,
  isMediaType,
  kindForMediaType,
  MediaType,
  isDescriptor,
  isImageConfig,
  isImageIndex,
  isImageManifest,
  parseImageManifest,
  validate,
  validateDescriptor,
  validateImageConfig,
  validateImageIndex,
  validateImageManifest,
  validateDockerManifest,
  type Finding,
} from './index.js';
import { digestOf } from '@ocikit/digest';
import { readJsonText } from '@ocikit/validation';
import { documentArbitraries } from './test-support/arbitraries.js';

const SHA = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';
const manifest = () => ({
  schemaVersion: 2,
  mediaType: MediaType.ImageManifest,
  config: { mediaType: MediaType.ImageConfig, digest: SHA, size: 7023 },
  layers: [{ mediaType: MediaType.ImageLayerGzip, digest: SHA, size: 32654 }],
});
const codes = (fs: readonly Finding[]) => fs.map((f) => `${f.code}@${f.path}`);

describe('validate: never throws', () => {
  it('on arbitrary JSON values, for every kind, as objects and as text', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DOCUMENT_KINDS), fc.jsonValue(), (kind, v) => {
        const a = validate(kind, v);
        const b = validate(kind, JSON.stringify(v));
        expect(typeof a.valid).toBe('boolean');
        expect(b.valid === (b.errors.length === 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary bytes and strings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DOCUMENT_KINDS), fc.oneof(fc.uint8Array(), fc.string({ unit: 'binary' })), (kind, input) => {
        const r = validate(kind, input);
        for (const f of [...r.errors, ...r.warnings]) expect(f.path === '' || f.path.startsWith('/')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('on documents of the right outline with arbitrary values in every field', () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    const anyDescriptor = fc.record({ mediaType: anyValue, digest: anyValue, size: anyValue, urls: anyValue, annotations: anyValue, data: anyValue, artifactType: anyValue, platform: anyValue });
    fc.assert(
      fc.property(
        fc.record({ schemaVersion: anyValue, mediaType: anyValue, artifactType: anyValue, config: fc.oneof(anyDescriptor, anyValue), layers: fc.oneof(fc.array(anyDescriptor), anyValue), manifests: fc.oneof(fc.array(anyDescriptor), anyValue), subject: anyDescriptor, annotations: anyValue, rootfs: anyValue, history: anyValue }),
        (doc) => {
          for (const kind of DOCUMENT_KINDS) validate(kind, doc);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on hostile nesting: a million brackets yield a finding, not a stack overflow', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const r = validate('image-manifest', deep);
    expect(r.valid).toBe(false);
    expect(r.errors.map((f) => f.code)).toContain('JSON_TOO_DEEP');
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    expect(validate('image-index', deepObject).errors.map((f) => f.code)).toContain('JSON_TOO_DEEP');
    // Deep values inside a field the schema does not descend into.
    const inAnnotations = `{"schemaVersion":2,"manifests":[],"annotations":{"a.b":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    expect(validate('image-index', inAnnotations).errors.map((f) => f.code)).toContain('JSON_TOO_DEEP');
  });
});

describe('validate: linear in its input', () => {
  const MB5 = 5 << 20;
  /** Megabytes of text in shapes that make backtracking regexes and recursive parsers work hardest. */
  const hugeStrings = ['A'.repeat(MB5), 'a.'.repeat(MB5 / 2), 'a/'.repeat(MB5 / 2), 'a--'.repeat(MB5 / 3)];

  /** JSON Pointer-like paths (as key lists) of every string in `doc`, found without recursion. */
  function stringLeaves(doc: unknown): (string | number)[][] {
    const out: (string | number)[][] = [];
    const stack: [unknown, (string | number)[]][] = [[doc, []]];
    while (stack.length > 0) {
      const [v, at] = stack.pop()!;
      if (typeof v === 'string') out.push(at);
      else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) stack.push([c, [...at, Array.isArray(v) ? Number(k) : k]]);
    }
    return out;
  }
  function withLeaf(doc: unknown, at: (string | number)[], value: string): unknown {
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    let o = copy;
    for (const k of at.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    o[at[at.length - 1]!] = value;
    return copy;
  }

  it('checks a descriptor with 5 MB of embedded data (the base64 check overflowed the stack)', () => {
    const bytes = Buffer.alloc(MB5, 0x61);
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length, data: bytes.toString('base64') };
    expect(validate('descriptor', desc)).toEqual({ valid: true, errors: [], warnings: [] });
    expect(validate('descriptor', JSON.stringify(desc)).valid).toBe(true);
    expect(validate('image-manifest', { ...manifest(), config: desc }).errors.map((f) => f.code)).toEqual([]);
    expect(codes(validate('descriptor', { ...desc, data: `${desc.data.slice(0, -4)}!AAA` }).errors)).toContain('DESCRIPTOR_DATA_INVALID@/data');
  });

  it('survives megabytes in every string field of every kind of document', () => {
    for (const kind of DOCUMENT_KINDS) {
      const [doc] = fc.sample<unknown>(documentArbitraries[kind], { numRuns: 1, seed: 15 });
      const leaves = stringLeaves(doc);
      expect({ kind, leaves: leaves.length > 0 }).toEqual({ kind, leaves: true });
      for (const at of leaves) {
        for (const huge of hugeStrings) {
          const r = validate(kind, withLeaf(doc, at, huge));
          expect(typeof r.valid).toBe('boolean');
        }
      }
    }
  });
});

describe('documents built from the types always pass', () => {
  for (const kind of DOCUMENT_KINDS) {
    it(kind, () => {
      fc.assert(
        fc.property(documentArbitraries[kind] as fc.Arbitrary<unknown>, (doc) => {
          const r = validate(kind, doc);
          expect(r.errors).toEqual([]);
          const t = validate(kind, JSON.stringify(doc, null, 2));
          expect(t.errors).toEqual([]);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('image manifest rules', () => {
  it('accepts a plain image manifest without findings', () => {
    expect(validateImageManifest(manifest())).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('warns when mediaType is absent (it SHOULD be used)', () => {
    const { mediaType: _, ...m } = manifest();
    const r = validateImageManifest(m);
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['MANIFEST_MEDIA_TYPE_MISSING@/mediaType']);
    expect(r.warnings[0]!.level).toBe('SHOULD');
  });

  it('warns on a manifest without layers (SHOULD have one)', () => {
    const r = validateImageManifest({ ...manifest(), layers: [] });
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['MANIFEST_LAYERS_EMPTY@/layers']);
  });

  it('requires artifactType with the empty config, and accepts the empty descriptor constant', () => {
    const m = { ...manifest(), config: EMPTY_DESCRIPTOR };
    expect(codes(validateImageManifest(m).errors)).toEqual(['MANIFEST_ARTIFACT_TYPE_REQUIRED@/artifactType']);
    expect(validateImageManifest({ ...m, artifactType: 'application/vnd.example.sbom.v1' }).valid).toBe(true);
  });

  it('rejects a Docker manifest media type in an OCI manifest', () => {
    const r = validateImageManifest({ ...manifest(), mediaType: MediaType.DockerManifest });
    expect(codes(r.errors)).toEqual(['MANIFEST_MEDIA_TYPE_MISMATCH@/mediaType']);
  });

  it('reports every finding with a pointer into nested descriptors', () => {
    const m = manifest();
    const r = validateImageManifest({ ...m, layers: [m.layers[0], { mediaType: 'bad', digest: 'sha256:00', size: -5 }] });
    expect(codes(r.errors).sort()).toEqual(['DESCRIPTOR_MEDIA_TYPE_INVALID@/layers/1/mediaType', 'DIGEST_INVALID_LENGTH@/layers/1/digest', 'SIZE_NEGATIVE@/layers/1/size']);
  });

  it('keeps a rule finding instead of the schema keyword on the same value, and schema findings elsewhere', () => {
    const r = validateImageManifest({ ...manifest(), schemaVersion: 3, extra: true, config: 'x' });
    expect(codes(r.errors)).toContain('MANIFEST_SCHEMA_VERSION@/schemaVersion');
    expect(codes(r.errors)).not.toContain('SCHEMA_MAXIMUM@/schemaVersion');
    expect(codes(r.errors)).toContain('SCHEMA_TYPE@/config');
  });
});

describe('constants', () => {
  it('EMPTY_DESCRIPTOR is the digest, size and base64 of {}', () => {
    expect(EMPTY_DESCRIPTOR.digest).toBe(digestOf(EMPTY_JSON));
    expect(EMPTY_DESCRIPTOR.size).toBe(new TextEncoder().encode(EMPTY_JSON).length);
    expect(Buffer.from(EMPTY_DESCRIPTOR.data, 'base64').toString()).toBe(EMPTY_JSON);
    expect(Object.isFrozen(EMPTY_DESCRIPTOR)).toBe(true);
    expect(validateDescriptor(EMPTY_DESCRIPTOR)).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('every MediaType constant is an RFC 6838 media type, every Annotation key is reserved OCI', () => {
    for (const t of Object.values(MediaType)) expect(isMediaType(t)).toBe(true);
    for (const k of Object.values(Annotation)) expect(k.startsWith('org.opencontainers.image.')).toBe(true);
  });
});

describe('kindForMediaType', () => {
  it('maps document media types to kinds and ignores parameters and case', () => {
    expect(kindForMediaType(MediaType.ImageManifest)).toBe('image-manifest');
    expect(kindForMediaType('Application/VND.oci.image.index.v1+json; charset=utf-8')).toBe('image-index');
    expect(kindForMediaType(MediaType.DockerManifestList)).toBe('docker-manifest-list');
    expect(kindForMediaType(MediaType.DockerImageConfig)).toBe('image-config');
    expect(kindForMediaType(MediaType.ImageLayerGzip)).toBeUndefined();
    expect(kindForMediaType('constructor')).toBeUndefined();
  });
});

describe('descriptor rules', () => {
  const d = { mediaType: MediaType.ImageManifest, digest: SHA, size: 7682 };

  it('passes an unregistered but grammatical digest with a warning (descriptor.md example)', () => {
    const r = validateDescriptor({ ...d, digest: 'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8' });
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['DIGEST_UNREGISTERED@/digest']);
    const b64u = validateDescriptor({ ...d, digest: 'sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564' });
    expect(b64u.valid).toBe(true);
  });

  it('accepts every registered algorithm, blake3 included, without warning', () => {
    for (const digest of [SHA, `sha512:${'ab'.repeat(64)}`, `blake3:${'0'.repeat(64)}`]) {
      expect(validateDescriptor({ ...d, digest })).toEqual({ valid: true, errors: [], warnings: [] });
    }
  });

  it('warns on sha384, which is computable but not registered', () => {
    expect(codes(validateDescriptor({ ...d, digest: `sha384:${'a'.repeat(96)}` }).warnings)).toEqual(['DIGEST_UNREGISTERED@/digest']);
  });

  it('warns above 2^53-1 and rejects beyond int64', () => {
    expect(codes(validateDescriptor({ ...d, size: 2 ** 60 }).warnings)).toEqual(['SIZE_UNSAFE_INTEGER@/size']);
    expect(codes(validateDescriptor({ ...d, size: 2 ** 64 }).errors)).toEqual(['SIZE_OUT_OF_RANGE@/size']);
    expect(validateDescriptor(`{"mediaType":"a/b","digest":"${SHA}","size":9007199254740993}`).warnings.map((f) => f.code)).toEqual(['SIZE_UNSAFE_INTEGER']);
  });

  it('checks embedded data against size and digest, for other algorithms too', () => {
    const bytes = new TextEncoder().encode('hello, world');
    const data = Buffer.from(bytes).toString('base64');
    expect(validateDescriptor({ ...d, size: bytes.length, digest: digestOf(bytes), data }).valid).toBe(true);
    expect(validateDescriptor({ ...d, size: bytes.length, digest: digestOf(bytes, 'sha512'), data }).valid).toBe(true);
    expect(codes(validateDescriptor({ ...d, size: bytes.length, digest: digestOf(new Uint8Array(1), 'sha512'), data }).errors)).toEqual(['DESCRIPTOR_DATA_DIGEST_MISMATCH@/data']);
    // An algorithm we cannot compute: size still checked, digest not.
    expect(validateDescriptor({ ...d, size: bytes.length, digest: 'foo:bar', data }).valid).toBe(true);
  });

  it('warns on URLs with a scheme other than http(s)', () => {
    const r = validateDescriptor({ ...d, urls: ['ftp://example.com/x', 'https://example.com/y'] });
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['DESCRIPTOR_URL_SCHEME@/urls/0']);
  });

  it('escapes JSON Pointer tokens in annotation paths', () => {
    const r = validateDescriptor({ ...d, annotations: { 'org.opencontainers.image.created': 'now', 'a/b~c': 'x' } });
    expect(codes(r.errors)).toEqual(['ANNOTATION_CREATED_INVALID@/annotations/org.opencontainers.image.created']);
    expect(codes(r.warnings)).toEqual(['ANNOTATION_KEY_NOT_NAMESPACED@/annotations/a~1b~0c']);
  });

  it('is a type guard that refuses text and invalid objects', () => {
    expect(isDescriptor(d)).toBe(true);
    expect(isDescriptor(JSON.stringify(d))).toBe(false);
    expect(isDescriptor({ ...d, size: -1 })).toBe(false);
    expect(isDescriptor(null)).toBe(false);
  });
});

describe('image index rules', () => {
  const index = { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [{ mediaType: MediaType.ImageManifest, digest: SHA, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] };

  it('accepts a platform from the variants table and an empty manifests array', () => {
    expect(validateImageIndex(index)).toEqual({ valid: true, errors: [], warnings: [] });
    expect(validateImageIndex({ ...index, manifests: [] }).valid).toBe(true);
    expect(isImageIndex(index)).toBe(true);
  });

  it('warns on platform values outside the documented ones', () => {
    const p = { os: 'linux-gnu', architecture: 'x86_64', variant: 'v7', features: ['sse4'] };
    const r = validateImageIndex({ ...index, manifests: [{ ...index.manifests[0], platform: p }] });
    expect(r.valid).toBe(true);
    expect(codes(r.warnings).sort()).toEqual([
      'PLATFORM_ARCHITECTURE_UNKNOWN@/manifests/0/platform/architecture',
      'PLATFORM_FEATURES_RESERVED@/manifests/0/platform/features',
      'PLATFORM_OS_UNKNOWN@/manifests/0/platform/os',
      'PLATFORM_VARIANT_UNKNOWN@/manifests/0/platform/variant',
    ]);
  });

  it('warns on Windows OS features other than win32k', () => {
    const p = { os: 'windows', architecture: 'amd64', 'os.features': ['win32k', 'hyperv'] };
    expect(codes(validateImageIndex({ ...index, manifests: [{ ...index.manifests[0], platform: p }] }).warnings)).toEqual(['PLATFORM_OS_FEATURE_UNKNOWN@/manifests/0/platform/os.features/1']);
  });

  it('checks annotations of index entries: ref.name grammar', () => {
    const entry = { ...index.manifests[0], annotations: { 'org.opencontainers.image.ref.name': 'bad name!' } };
    expect(codes(validateImageIndex({ ...index, manifests: [entry] }).warnings)).toEqual(['ANNOTATION_REF_NAME_INVALID@/manifests/0/annotations/org.opencontainers.image.ref.name']);
  });
});

describe('image config rules', () => {
  const config = () => ({
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8080': {} }, StopSignal: 'SIGRTMIN+3' },
    rootfs: { type: 'layers', diff_ids: [SHA] },
    history: [{ created_by: 'ADD' }, { created_by: 'ENV', empty_layer: true }],
  });

  it('accepts a config whose history matches its layers', () => {
    expect(validateImageConfig(config())).toEqual({ valid: true, errors: [], warnings: [] });
    expect(isImageConfig(config())).toBe(true);
  });

  it('accepts null for optional fields (equivalent to absent)', () => {
    const c = { ...config(), created: null, author: null, config: { Cmd: null, Entrypoint: null, Volumes: null, Labels: null, Env: null } };
    expect(validateImageConfig(c).errors).toEqual([]);
    expect(validateImageConfig({ ...config(), config: null, history: null }).errors).toEqual([]);
  });

  it('warns when history entries without empty_layer do not match the layers', () => {
    const r = validateImageConfig({ ...config(), history: [{ created_by: 'ADD' }, { created_by: 'RUN' }] });
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['CONFIG_HISTORY_LAYER_MISMATCH@/history']);
  });

  it('warns on unusual exposed-port protocols and stop signals; rejects out-of-range ports', () => {
    const base = config();
    const r = validateImageConfig({ ...base, config: { ...base.config, ExposedPorts: { '132/sctp': {}, '70000/tcp': {} }, StopSignal: 'TERM' } });
    expect(codes(r.errors)).toEqual(['CONFIG_EXPOSED_PORT_INVALID@/config/ExposedPorts/70000~1tcp']);
    expect(codes(r.warnings).sort()).toEqual(['CONFIG_EXPOSED_PORT_PROTOCOL@/config/ExposedPorts/132~1sctp', 'CONFIG_STOP_SIGNAL_INVALID@/config/StopSignal']);
  });

  it('warns on diff_ids with unregistered algorithms and rejects invalid ones', () => {
    const r = validateImageConfig({ ...config(), rootfs: { type: 'layers', diff_ids: ['sha256:XYZ', 'foo+bar:abc'] }, history: [] });
    expect(codes(r.errors)).toEqual(['DIGEST_INVALID_LENGTH@/rootfs/diff_ids/0']);
    expect(codes(r.warnings)).toEqual(['DIGEST_UNREGISTERED@/rootfs/diff_ids/1']);
  });
});

describe('docker schema 2', () => {
  it('warns on OCI layer media types inside a Docker manifest', () => {
    const m = { schemaVersion: 2, mediaType: MediaType.DockerManifest, config: { mediaType: MediaType.DockerImageConfig, digest: SHA, size: 1 }, layers: [{ mediaType: MediaType.ImageLayerZstd, digest: SHA, size: 1 }] };
    const r = validateDockerManifest(m);
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['DOCKER_LAYER_MEDIA_TYPE@/layers/0/mediaType']);
  });
});

describe('text input', () => {
  it('reports duplicate names as errors by default and as warnings on request', () => {
    const text = `{"schemaVersion":2,"mediaType":"${MediaType.ImageManifest}","config":{"mediaType":"a/b","digest":"${SHA}","size":1,"size":2},"layers":[]}`;
    expect(codes(validate('image-manifest', text).errors)).toEqual(['JSON_DUPLICATE_KEY@/config/size']);
    const lenient = validate('image-manifest', text, { duplicateKeys: 'warning' });
    expect(lenient.valid).toBe(true);
    expect(codes(lenient.warnings)).toContain('JSON_DUPLICATE_KEY@/config/size');
  });

  it('parse* returns the typed document or throws every finding', () => {
    const m = manifest();
    expect(parseImageManifest(JSON.stringify(m))).toEqual(m);
    expect(parseImageManifest(new TextEncoder().encode(JSON.stringify(m)))).toEqual(m);
    try {
      parseImageManifest(JSON.stringify({ ...m, schemaVersion: 1, layers: [{ mediaType: 'x', digest: SHA, size: 1 }] }));
      throw new Error('not thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidDocumentError);
      const err = e as InvalidDocumentError;
      expect(err.name).toBe('InvalidDocumentError');
      expect(err.kind).toBe('image-manifest');
      expect(codes(err.errors).sort()).toEqual(['DESCRIPTOR_MEDIA_TYPE_INVALID@/layers/0/mediaType', 'MANIFEST_SCHEMA_VERSION@/schemaVersion']);
      expect(err.message).toMatch(/^expected a valid image-manifest, found 2 errors; first at /);
    }
  });

  it('reads text with the shared JSON reader: a byte order mark is a warning, too deep a document is refused', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(manifest()))]);
    const r = validateImageManifest(bom);
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['JSON_BYTE_ORDER_MARK@']);
    expect(codes(readJsonText(bom).warnings)).toEqual(codes(r.warnings));
    // A refused document gets only the reader's finding: no schema run on a value nobody should walk.
    const deep = `{"schemaVersion":2,"layers":${'['.repeat(300)}${']'.repeat(300)}}`;
    expect(codes(validateImageManifest(deep).errors)).toEqual([`JSON_TOO_DEEP@/layers${'/0'.repeat(255)}`]);
  });

  it('filters warnings by level, never errors (the same option runtime-spec takes)', () => {
    const { mediaType: _, ...m } = { ...manifest(), annotations: { 'org.opencontainers.image.unknown': 'x' }, schemaVersion: 3 };
    const all = validate('image-manifest', m);
    expect(codes(all.warnings)).toEqual(['MANIFEST_MEDIA_TYPE_MISSING@/mediaType', 'ANNOTATION_KEY_RESERVED@/annotations/org.opencontainers.image.unknown']);
    expect(validate('image-manifest', m, { level: 'SHOULD' })).toEqual(all);
    expect(validate('image-manifest', m, { level: 'MAY' })).toEqual(all);
    // At MUST only the warning about a MUST rule (the reserved prefix) is left; the errors stay.
    const must = validate('image-manifest', m, { level: 'MUST' });
    expect(codes(must.warnings)).toEqual(['ANNOTATION_KEY_RESERVED@/annotations/org.opencontainers.image.unknown']);
    expect(must.errors).toEqual(all.errors);
    expect(must.valid).toBe(false);
  });

  it('offers parse and is for every kind, and keeps parseDocument and isDocument as aliases', () => {
    const text = JSON.stringify(manifest());
    expect(parse('image-manifest', text)).toEqual(manifest());
    expect(() => parse('image-manifest', '{}')).toThrow(expect.objectContaining({ code: 'DOCUMENT_INVALID', kind: 'image-manifest' }));
    expect(is('image-manifest', manifest())).toBe(true);
    expect(is('image-manifest', text)).toBe(false);
    expect(is('descriptor', manifest())).toBe(false);
    expect(parseDocument).toBe(parse);
    expect(isDocument).toBe(is);
  });

  it('rejects an unknown kind loudly (a programming error, not bad input)', () => {
    expect(() => validate('manifest' as never, {})).toThrow(TypeError);
  });

  it('isImageManifest narrows only valid parsed documents', () => {
    const x: unknown = manifest();
    expect(isImageManifest(x) && x.layers.length).toBe(1);
    expect(isImageManifest({ ...manifest(), layers: 'no' })).toBe(false);
  });
});
