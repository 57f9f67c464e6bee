import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Context, checkAnnotations, isBase64, isDateTime, isMediaType, isRefName, isUri } from './common.js';

describe('isDateTime (RFC 3339 section 5.6)', () => {
  const valid = ['2015-10-31T22:22:56.015925234Z', '2023-01-02T03:04:05Z', '1985-04-12t23:20:50.52z', '1996-12-19T16:39:57-08:00', '1990-12-31T23:59:60Z', '2000-02-29T00:00:00+14:00', '2024-02-29T12:00:00.1+05:30'];
  const invalid = ['2015-10-31 22:22:56Z', '2015-10-31T22:22:56', '2015-13-01T00:00:00Z', '2015-00-01T00:00:00Z', '2015-04-31T00:00:00Z', '1900-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2015-10-31T24:00:00Z', '2015-10-31T23:60:00Z', '2015-10-31T23:59:61Z', '2015-10-31T22:22:56.Z', '2015-10-31T22:22:56+0100', '2015-10-31T22:22:56+24:00', '15-10-31T22:22:56Z', '2015-10-31T22:22:56Zx', 'now', ''];
  for (const s of valid) it(`accepts ${s}`, () => expect(isDateTime(s)).toBe(true));
  for (const s of invalid) it(`rejects ${JSON.stringify(s)}`, () => expect(isDateTime(s)).toBe(false));
});

describe('isMediaType (RFC 6838 section 4.2)', () => {
  it.each(['application/vnd.oci.image.manifest.v1+json', 'text/plain', 'application/vnd.example+type', 'text/plain; charset=utf-8', 'multipart/x;boundary="a b"', `a/${'b'.repeat(127)}`])('accepts %s', (s) => expect(isMediaType(s)).toBe(true));
  it.each(['application', 'application/', '/json', 'application/json/x', '.a/b', `a/${'b'.repeat(128)}`, 'a b/c', 'text/plain;', ''])('rejects %j', (s) => expect(isMediaType(s)).toBe(false));
});

describe('isRefName (annotations.md grammar)', () => {
  it.each(['v1.0', 'stable-release', '1.0.0-vendor.0', 'a--b', 'registry:5000/repo@sha256+x', 'A/b/C', 'a_b'])('accepts %s', (s) => expect(isRefName(s)).toBe(true));
  it.each(['', '-a', 'a-', 'a---b', 'a//b', '/a', 'a b', 'v1.0!'])('rejects %j', (s) => expect(isRefName(s)).toBe(false));
});

describe('isBase64 (RFC 4648 section 4)', () => {
  it.each(['', 'e30=', 'aGVsbG8=', 'aGVsbA==', 'aGVs', '+/+/'])('accepts %j', (s) => expect(isBase64(s)).toBe(true));
  it.each(['e30', 'e3=0', 'aGVsbA=', '====', 'a-_b', 'aGVs bG8=', 'aGVsbG8=='])('rejects %j', (s) => expect(isBase64(s)).toBe(false));
  it('agrees with the grammar written as a regex, on any string of the alphabet, padding and strays', () => {
    const grammar = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', ' ', 'é'), maxLength: 24 }), (s) => expect(isBase64(s)).toBe(grammar.test(s))),
      { numRuns: 2000 },
    );
  });
  it('checks megabytes of data in one pass (a regex over a repeated group overflowed the stack on 5 MB)', () => {
    const data = Buffer.alloc(6 << 20, 7).toString('base64');
    expect(isBase64(data)).toBe(true);
    expect(isBase64(`${data.slice(0, -4)}AA=A`)).toBe(false);
  });
});

describe('isUri (RFC 3986)', () => {
  it.each(['https://example.com/example-manifest', 'http://[::1]:80/a?b=c#d', 'urn:isbn:0451450523', 'https://example.com/%20x', 's3://bucket/key'])('accepts %s', (s) => expect(isUri(s)).toBe(true));
  it.each(['example.com/x', 'https://exa mple.com', 'https://example.com/%zz', 'https://example.com/<x>', '1http://x', ''])('rejects %j', (s) => expect(isUri(s)).toBe(false));
});

describe('checkAnnotations', () => {
  const run = (a: Record<string, string>) => {
    const ctx = new Context();
    ctx.shapeOk = true;
    checkAnnotations(ctx, a, '/annotations');
    return { errors: ctx.errors.map((f) => `${f.code}@${f.path}`), warnings: ctx.warnings.map((f) => `${f.code}@${f.path}`) };
  };

  it('accepts every pre-defined key with a value of its format', () => {
    expect(
      run({
        'org.opencontainers.image.created': '2024-01-02T03:04:05Z',
        'org.opencontainers.image.authors': 'Alyssa P. Hacker <alyspdev@example.com>',
        'org.opencontainers.image.url': 'https://example.com',
        'org.opencontainers.image.documentation': 'https://example.com/docs',
        'org.opencontainers.image.source': 'https://example.com/src.git',
        'org.opencontainers.image.version': '1.2.3',
        'org.opencontainers.image.revision': '45a939b2999782a3f005621a8d0f29aa387e1d6b',
        'org.opencontainers.image.vendor': 'Example',
        'org.opencontainers.image.licenses': 'Apache-2.0 OR MIT',
        'org.opencontainers.image.ref.name': 'v1.0',
        'org.opencontainers.image.title': 'Example',
        'org.opencontainers.image.description': '',
        'org.opencontainers.image.base.digest': 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270',
        'org.opencontainers.image.base.name': 'docker.io/library/debian:bookworm',
        'com.example.key': 'value',
      }),
    ).toEqual({ errors: [], warnings: [] });
  });

  it('flags the formats of pre-defined keys and keys under the reserved prefix', () => {
    expect(
      run({
        'org.opencontainers.image.created': 'yesterday',
        'org.opencontainers.image.url': 'not a url',
        'org.opencontainers.image.base.digest': 'sha256:abc',
        'org.opencontainers.image.base.name': 'Not/A:Reference!',
        'org.opencontainers.image.colour': 'blue',
        'org.opencontainers.artifact.created': '2024-01-02T03:04:05Z',
        myKey: 'x',
      }),
    ).toEqual({
      errors: ['ANNOTATION_CREATED_INVALID@/annotations/org.opencontainers.image.created'],
      warnings: [
        'ANNOTATION_URL_INVALID@/annotations/org.opencontainers.image.url',
        'ANNOTATION_BASE_DIGEST_INVALID@/annotations/org.opencontainers.image.base.digest',
        'ANNOTATION_BASE_NAME_INVALID@/annotations/org.opencontainers.image.base.name',
        'ANNOTATION_KEY_RESERVED@/annotations/org.opencontainers.image.colour',
        'ANNOTATION_KEY_RESERVED@/annotations/org.opencontainers.artifact.created',
        'ANNOTATION_KEY_NOT_NAMESPACED@/annotations/myKey',
      ],
    });
  });
});

describe('the schema and the code agree on media types', () => {
  it('uses the same pattern for mediaType in the generated schema as isMediaType', async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const schema = readFileSync(fileURLToPath(new URL('../../../../schemas/image-spec/descriptor.schema.json', import.meta.url)), 'utf8');
    const pattern = (JSON.parse(schema) as { properties: { mediaType: { pattern: string } } }).properties.mediaType.pattern;
    const re = new RegExp(pattern);
    for (const s of ['application/json', 'a/b; c=d', 'a/b;', 'x', 'text/plain; charset="utf 8"', `a/${'b'.repeat(127)}`, `a/${'b'.repeat(128)}`]) {
      expect([s, re.test(s)]).toEqual([s, isMediaType(s)]);
    }
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aZ9/;= "+.-_!#$&^\t'), maxLength: 40 }), (s) => {
        expect(re.test(s)).toBe(isMediaType(s));
      }),
      { numRuns: 1000 },
    );
  });
});
