import { describe, expect, it } from '@jest/globals';
import { TransportError, TransportErrorCode } from './errors.js';
import { formatTransportReference, parseTransportReference, type TransportReference } from './reference.js';

const none = () => false;
const DIGEST = `sha256:${'a'.repeat(64)}`;

function parse(text: string): TransportReference {
  return parseTransportReference(text, none);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return (err as TransportError).code;
  }
  return undefined;
}

describe('parseTransportReference', () => {
  it('reads oci: with a ref name, a digest, or neither', () => {
    expect(parse('oci:dir:v1')).toEqual({ transport: 'oci', path: 'dir', target: 'v1' });
    expect(parse(`oci:dir@${DIGEST}`)).toEqual({ transport: 'oci', path: 'dir', target: { digest: DIGEST } });
    expect(parse('oci:/tmp/some dir')).toEqual({ transport: 'oci', path: '/tmp/some dir', target: undefined });
  });

  it('reads oci-archive: as a file with an optional ref', () => {
    expect(parse('oci-archive:out.tar:v2')).toEqual({ transport: 'oci-archive', path: 'out.tar', target: 'v2' });
    expect(parse('oci-archive:out.tar')).toEqual({ transport: 'oci-archive', path: 'out.tar', target: undefined });
  });

  it('keeps a path that exists whole, colons included', () => {
    expect(parseTransportReference('oci:a:b', (p) => p === 'a:b')).toEqual({ transport: 'oci', path: 'a:b', target: undefined });
  });

  it('normalises docker:// references as docker does', () => {
    const busybox = parse('docker://busybox');
    expect(busybox).toEqual({ transport: 'docker', reference: { domain: 'docker.io', path: 'library/busybox', tag: 'latest' } });
    expect(formatTransportReference(busybox)).toBe('docker://docker.io/library/busybox:latest');
    expect(parse('docker://localhost:5000/team/app:1.0')).toEqual({ transport: 'docker', reference: { domain: 'localhost:5000', path: 'team/app', tag: '1.0' } });
    expect(parse(`docker://quay.io/x/y@${DIGEST}`)).toEqual({ transport: 'docker', reference: { domain: 'quay.io', path: 'x/y', digest: DIGEST } });
  });

  it('formats back to text that parses to the same reference', () => {
    for (const text of ['oci:dir:v1', `oci:dir@${DIGEST}`, 'oci-archive:x.tar', 'docker://registry.example:5000/a/b:c']) {
      const ref = parse(text);
      expect(parse(formatTransportReference(ref))).toEqual(ref);
    }
    expect(formatTransportReference(parse('oci:dir:v1'))).toBe('oci:dir:v1');
  });

  it('refuses a missing or unknown transport, naming the accepted forms', () => {
    expect(codeOf(() => parse('just-a-dir'))).toBe(TransportErrorCode.MissingTransport);
    expect(codeOf(() => parse('dir:/tmp/x'))).toBe(TransportErrorCode.UnknownTransport);
    expect(codeOf(() => parse('docker-archive:x.tar'))).toBe(TransportErrorCode.UnknownTransport);
    expect(() => parse('dir:/tmp/x')).toThrow(/oci:PATH\[:REF\].*oci-archive:PATH\[:REF\].*docker:\/\/HOST/);
  });

  it('refuses malformed references with INVALID_REFERENCE', () => {
    expect(codeOf(() => parse('oci:'))).toBe(TransportErrorCode.InvalidReference);
    expect(codeOf(() => parse('docker:busybox'))).toBe(TransportErrorCode.InvalidReference);
    expect(codeOf(() => parse('docker://Busybox'))).toBe(TransportErrorCode.InvalidReference);
    expect(codeOf(() => parse(`docker://busybox:1@${DIGEST}`))).toBe(TransportErrorCode.InvalidReference);
    expect(codeOf(() => parse('oci:dir@sha256:abc'))).toBe(TransportErrorCode.InvalidReference);
  });
});
