import { describe, expect, it } from '@jest/globals';
import { DOCUMENT_KINDS, RuntimeSpecError, RuntimeSpecErrorCode, SCHEMA_KINDS, is, isDocumentKind, parse, validate, type Spec } from '../index.js';
import { DOCUMENT_KINDS as LIGHT_KINDS } from '../kinds.js';

const config: Spec = { ociVersion: '1.3.0', root: { path: 'rootfs' } };

describe('the verbs both spec packages share', () => {
  it('lists its kinds, also from the light ./kinds entry', () => {
    expect(DOCUMENT_KINDS).toEqual(['runtime-config', 'runtime-state', 'runtime-features']);
    expect(LIGHT_KINDS).toBe(DOCUMENT_KINDS);
    expect(SCHEMA_KINDS).toEqual(DOCUMENT_KINDS);
    expect(DOCUMENT_KINDS.every(isDocumentKind)).toBe(true);
    expect(isDocumentKind('image-manifest')).toBe(false);
  });

  it('parse throws RuntimeSpecError with the shared DOCUMENT_INVALID code', () => {
    expect(parse('runtime-config', JSON.stringify(config))).toEqual(config);
    let thrown: unknown;
    try {
      parse('runtime-config', '{"ociVersion":"1.3.0"}');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RuntimeSpecError);
    const err = thrown as RuntimeSpecError;
    expect(err.code).toBe('DOCUMENT_INVALID');
    expect(err.code).toBe(RuntimeSpecErrorCode.DocumentInvalid);
    // The old key stays, with the one spelling.
    expect(RuntimeSpecErrorCode.InvalidDocument).toBe('DOCUMENT_INVALID');
    expect(err.findings.map((f) => f.code)).toEqual(['RootOnNonHyperVRequired']);
  });

  it('is narrows parsed documents only, never text or bytes', () => {
    expect(is('runtime-config', config)).toBe(true);
    expect(is('runtime-config', JSON.stringify(config))).toBe(false);
    expect(is('runtime-config', new TextEncoder().encode(JSON.stringify(config)))).toBe(false);
    expect(is('runtime-state', config)).toBe(false);
  });

  it('rejects an unknown kind loudly (a programming error, not bad input)', () => {
    expect(() => validate('image-manifest' as never, config)).toThrow(TypeError);
  });
});
