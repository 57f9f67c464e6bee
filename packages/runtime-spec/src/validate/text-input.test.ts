import { describe, it, expect } from '@jest/globals';
import { DEFAULT_MAX_DEPTH, readJsonText } from '@ocikit/validation';
import { parseConfig, validate, validateConfig, validateState, type Spec } from '../index.js';

// Text and bytes go through @ocikit/validation's JSON reader (tested there);
// these tests check what validate/parse do with its findings.
const config: Spec = { ociVersion: '1.3.0', root: { path: 'rootfs' } };
const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
const codes = (fs: { code: string }[]) => fs.map((f) => f.code);

describe('validate on text and bytes', () => {
  it('is the same reader as the one exported', () => {
    expect(DEFAULT_MAX_DEPTH).toBe(256);
    expect(codes(readJsonText('{"a":1,"a":2}').errors)).toEqual(['JSON_DUPLICATE_KEY']);
  });

  it('passes on a byte order mark as a warning (RFC 8259 8.1) and validates the document', () => {
    const r = validateConfig(bom(JSON.stringify(config)));
    expect(r.valid).toBe(true);
    expect(r.errors).toEqual([]);
    expect(codes(r.warnings)).toEqual(['JSON_BYTE_ORDER_MARK']);
    expect(r.warnings[0]!.ref).toBe('https://www.rfc-editor.org/rfc/rfc8259#section-8.1');
    // Level MUST keeps warnings about MUST rules, and a byte order mark breaks one (a producer's); parse accepts the document.
    expect(codes(validateConfig(bom(JSON.stringify(config)), { level: 'MUST' }).warnings)).toEqual(['JSON_BYTE_ORDER_MARK']);
    expect(parseConfig(bom(JSON.stringify(config)))).toEqual(config);
  });

  it('keeps a duplicate name an error (although SHOULD-level) and the document rules run too', () => {
    const text = '{"ociVersion":"1.3.0","root":{"path":"rootfs","path":"rootfs"},"linux":{"namespaces":[{"type":"mount"}]},"hostname":"h"}';
    const r = validateConfig(text);
    expect(r.valid).toBe(false);
    expect(r.errors.map((f) => [f.code, f.path])).toEqual([
      ['JSON_DUPLICATE_KEY', '/root/path'],
      ['HostnameRequiresUtsNS', '/hostname'],
    ]);
    expect(r.errors[0]!.level).toBe('SHOULD');
    expect(validateConfig(text, { level: 'MUST' }).errors.map((f) => f.code)).toContain('JSON_DUPLICATE_KEY');
    expect(() => parseConfig(text)).toThrow(/JSON_DUPLICATE_KEY|expected unique names/);
  });

  it('reports a duplicate name as a warning on request', () => {
    const r = validateConfig('{"ociVersion":"1.3.0","ociVersion":"1.3.0","root":{"path":"rootfs"}}', { duplicateKeys: 'warning' });
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual(['JSON_DUPLICATE_KEY']);
  });

  it('stops at text that cannot be read, with the reader\'s codes', () => {
    expect(codes(validateConfig(Uint8Array.from([0x7b, 0xff, 0x7d])).errors)).toEqual(['JSON_INVALID_UTF8']);
    expect(codes(validateState('{"id":').errors)).toEqual(['JSON_SYNTAX']);
    const deep = `{"ociVersion":"1.3.0","root":{"path":"rootfs"},"annotations":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
    expect(codes(validate('runtime-config', deep).errors)).toEqual(['JSON_TOO_DEEP']);
    expect(validate('runtime-config', deep, { maxDepth: 2_000_000 }).errors.map((f) => f.code)).toEqual(['SCHEMA_TYPE']);
  });
});
