import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  InvalidReferenceError,
  familiarName,
  formatReference,
  isValidReference,
  normalizeReference,
  parseNormalizedReference,
  parseReference,
  type Reference,
} from './reference.js';

const D = 'sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff';

describe('parseReference: valid references', () => {
  const table: [string, Reference][] = [
    ['test_com', { path: 'test_com' }],
    ['test.com:tag', { path: 'test.com', tag: 'tag' }],
    ['test.com:5000', { path: 'test.com', tag: '5000' }],
    ['test.com/repo:tag', { domain: 'test.com', path: 'repo', tag: 'tag' }],
    ['test:5000/repo', { domain: 'test:5000', path: 'repo' }],
    ['test:5000/repo:tag', { domain: 'test:5000', path: 'repo', tag: 'tag' }],
    [`test:5000/repo@${D}`, { domain: 'test:5000', path: 'repo', digest: D }],
    [`test:5000/repo:tag@${D}`, { domain: 'test:5000', path: 'repo', tag: 'tag', digest: D }],
    ['lowercase:Uppercase', { path: 'lowercase', tag: 'Uppercase' }],
    ['sub-dom1.foo.com/bar/baz/quux', { domain: 'sub-dom1.foo.com', path: 'bar/baz/quux' }],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', { domain: 'sub-dom1.foo.com', path: 'bar/baz/quux', tag: 'some-long-tag' }],
    ['b.gcr.io/test.example.com/my-app:test.example.com', { domain: 'b.gcr.io', path: 'test.example.com/my-app', tag: 'test.example.com' }],
    ['xn--n3h.com/myimage:xn--n3h.com', { domain: 'xn--n3h.com', path: 'myimage', tag: 'xn--n3h.com' }],
    [`xn--7o8h.com/myimage:xn--7o8h.com@${D}`, { domain: 'xn--7o8h.com', path: 'myimage', tag: 'xn--7o8h.com', digest: D }],
    ['foo_bar.com:8080', { path: 'foo_bar.com', tag: '8080' }],
    ['foo/foo_bar.com:8080', { domain: 'foo', path: 'foo_bar.com', tag: '8080' }],
    ['192.168.1.1', { path: '192.168.1.1' }],
    ['192.168.1.1:tag', { path: '192.168.1.1', tag: 'tag' }],
    ['192.168.1.1:5000', { path: '192.168.1.1', tag: '5000' }],
    ['192.168.1.1/repo', { domain: '192.168.1.1', path: 'repo' }],
    ['192.168.1.1:5000/repo', { domain: '192.168.1.1:5000', path: 'repo' }],
    ['192.168.1.1:5000/repo:5050', { domain: '192.168.1.1:5000', path: 'repo', tag: '5050' }],
    ['[2001:db8::1]/repo', { domain: '[2001:db8::1]', path: 'repo' }],
    ['[2001:db8::1]:5000/repo', { domain: '[2001:db8::1]:5000', path: 'repo' }],
    ['[2001:db8::1]:5000/repo:tag', { domain: '[2001:db8::1]:5000', path: 'repo', tag: 'tag' }],
    [`[2001:db8::1]:5000/repo@${D}`, { domain: '[2001:db8::1]:5000', path: 'repo', digest: D }],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', { domain: '[2001:db8:1:2:3:4:5:6]', path: 'repo', tag: 'tag' }],
    ['[::1]:5000/repo', { domain: '[::1]:5000', path: 'repo' }],
    ['localhost/repo', { domain: 'localhost', path: 'repo' }],
    ['a/b__c/d---e/f.g', { domain: 'a', path: 'b__c/d---e/f.g' }],
    [`${'a'.repeat(255)}:tag`, { path: 'a'.repeat(255), tag: 'tag' }],
    [`repo:${'t'.repeat(128)}`, { path: 'repo', tag: 't'.repeat(128) }],
    [`repo@blake3:${'a'.repeat(64)}`, { path: 'repo', digest: `blake3:${'a'.repeat(64)}` }],
    // A grammatical digest of an algorithm nobody computes parses (image-spec: valid but unregistered).
    [`validname@invaliddigest:${'f'.repeat(64)}`, { path: 'validname', digest: `invaliddigest:${'f'.repeat(64)}` }],
  ];
  for (const [input, want] of table) {
    it(input.length > 60 ? `${input.slice(0, 57)}...` : input, () => {
      expect(parseReference(input)).toEqual(want);
      expect(formatReference(parseReference(input))).toBe(input);
      expect(isValidReference(input)).toBe(true);
    });
  }
});

describe('parseReference: invalid references and their codes', () => {
  const table: [string, string][] = [
    ['', 'NAME_EMPTY'],
    [':justtag', 'REFERENCE_INVALID_FORMAT'],
    [`@${D}`, 'REFERENCE_INVALID_FORMAT'],
    ['repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'DIGEST_INVALID_FORMAT'],
    ['repo@sha256:abc', 'DIGEST_INVALID_FORMAT'],
    [`repo@SHA256:${'f'.repeat(64)}`, 'DIGEST_INVALID_FORMAT'],
    ['repo@', 'DIGEST_INVALID_FORMAT'],
    ['Uppercase:tag', 'NAME_CONTAINS_UPPERCASE'],
    ['test:5000/Uppercase/lowercase:tag', 'NAME_CONTAINS_UPPERCASE'],
    ['aa/asdf$$^/aa', 'REFERENCE_INVALID_FORMAT'],
    [`${'a'.repeat(256)}:tag`, 'NAME_TOO_LONG'],
    [`example.com/${'a/'.repeat(127)}bb`, 'NAME_TOO_LONG'],
    [`repo:${'t'.repeat(129)}`, 'TAG_INVALID_FORMAT'],
    ['repo:-tag', 'TAG_INVALID_FORMAT'],
    ['repo:.tag', 'TAG_INVALID_FORMAT'],
    ['repo:ta g', 'TAG_INVALID_FORMAT'],
    ['[fe80::1%eth0]:5000/repo', 'REFERENCE_INVALID_FORMAT'],
    ['[2001:db8::1]:tag', 'REFERENCE_INVALID_FORMAT'],
    ['-repo', 'REFERENCE_INVALID_FORMAT'],
    ['repo/', 'REFERENCE_INVALID_FORMAT'],
    ['a//b', 'REFERENCE_INVALID_FORMAT'],
    ['a/b_-c', 'REFERENCE_INVALID_FORMAT'],
    ['a/b___c', 'REFERENCE_INVALID_FORMAT'],
  ];
  for (const [input, code] of table) {
    it(`${JSON.stringify(input.length > 50 ? `${input.slice(0, 47)}...` : input)} -> ${code}`, () => {
      let thrown: unknown;
      try {
        parseReference(input);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(InvalidReferenceError);
      const err = thrown as InvalidReferenceError;
      expect(err.code).toBe(code);
      expect(err.name).toBe('InvalidReferenceError');
      expect(err.input).toBe(input);
      expect(err.message).toMatch(/^invalid reference .*: expected /);
      expect(isValidReference(input)).toBe(false);
    });
  }

  it('chains the digest error as cause', () => {
    try {
      parseReference(`repo@sha256:${'F'.repeat(64)}`);
    } catch (e) {
      expect((e as Error).cause).toBeInstanceOf(Error);
      expect(((e as Error).cause as { code: string }).code).toBe('DIGEST_INVALID_FORMAT');
    }
    expect.assertions(2);
  });
});

describe('normalizeReference and familiarName', () => {
  const table: [string, string, string][] = [
    // input, normalised, familiar
    ['ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
    [`ubuntu@${D}`, `docker.io/library/ubuntu@${D}`, `ubuntu@${D}`],
    ['library/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu'],
    ['docker.io/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu'],
    ['index.docker.io/library/ubuntu:20.04', 'docker.io/library/ubuntu:20.04', 'ubuntu:20.04'],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp:latest', 'dmcgowan/myapp'],
    ['dmcgowan/myapp/sub', 'docker.io/dmcgowan/myapp/sub:latest', 'dmcgowan/myapp/sub'],
    ['library/distros/ubuntu', 'docker.io/library/distros/ubuntu:latest', 'library/distros/ubuntu'],
    ['localhost/x', 'localhost/x:latest', 'localhost/x'],
    ['localhost:5000/x', 'localhost:5000/x:latest', 'localhost:5000/x'],
    ['ghcr.io/org/app:1.2', 'ghcr.io/org/app:1.2', 'ghcr.io/org/app:1.2'],
    ['[::1]:5000/repo', '[::1]:5000/repo:latest', '[::1]:5000/repo'],
    ['Example.com/repo', 'Example.com/repo:latest', 'Example.com/repo'],
  ];
  for (const [input, normal, familiar] of table) {
    it(`${input} -> ${normal} -> ${familiar}`, () => {
      expect(normalizeReference(input)).toBe(normal);
      expect(familiarName(input)).toBe(familiar);
      expect(familiarName(parseNormalizedReference(familiar))).toBe(familiarName(normal));
      expect(normalizeReference(normal)).toBe(normal);
    });
  }

  it('refuses 64-hex identifiers and upper-case repository names', () => {
    expect(() => normalizeReference('f'.repeat(64))).toThrow(InvalidReferenceError);
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as InvalidReferenceError).code;
      }
      return undefined;
    };
    expect(code(() => normalizeReference('Ubuntu'))).toBe('NAME_CONTAINS_UPPERCASE');
    expect(code(() => normalizeReference('docker.io/Library/ubuntu'))).toBe('NAME_CONTAINS_UPPERCASE');
    expect(code(() => normalizeReference(''))).toBe('NAME_EMPTY');
  });

  it('reports errors against the input as typed', () => {
    expect(() => normalizeReference('ubuntu:-x')).toThrow(/^invalid reference "ubuntu:-x"/);
  });
});

describe('properties', () => {
  const alnum = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 6 });
  const component = fc.tuple(alnum, fc.array(fc.tuple(fc.constantFrom('.', '_', '__', '-', '--'), alnum), { maxLength: 2 })).map(([a, rest]) => a + rest.map(([s, b]) => s + b).join(''));
  const path = fc.array(component, { minLength: 1, maxLength: 4 }).map((c) => c.join('/'));
  const domain = fc.oneof(
    fc.constantFrom('localhost', 'docker.io', 'ghcr.io', 'registry.example.com', '[::1]', '192.168.0.1'),
    fc.tuple(fc.constantFrom('example.com', 'localhost', '[2001:db8::1]'), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
  );
  const tag = fc.tuple(fc.constantFrom(...'abcXYZ019_'), fc.string({ unit: fc.constantFrom(...'abcXYZ019_.-'), maxLength: 20 })).map(([a, b]) => a + b);
  const digest = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map((h) => `sha256:${h}`);
  const reference = fc.record({ domain, path, tag, digest }, { requiredKeys: ['path'] });

  it('format and parse round-trip every reference built from the grammar', () => {
    fc.assert(
      fc.property(reference, (r) => {
        const s = formatReference(r);
        expect(formatReference(parseReference(s))).toBe(s);
        // Without a domain, a first component that looks like one is read as one.
        if (r.domain !== undefined) expect(parseReference(s)).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });

  it('normalising is idempotent and familiarName inverts it', () => {
    fc.assert(
      fc.property(reference, (r) => {
        const s = formatReference(r);
        const n = normalizeReference(s);
        expect(normalizeReference(n)).toBe(n);
        expect(normalizeReference(familiarName(n))).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but InvalidReferenceError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        for (const f of [parseReference, normalizeReference, familiarName]) {
          try {
            f(s);
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidReferenceError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
