import { describe, expect, it } from '@jest/globals';
import { digestOf } from '@ocikit/digest';
import { SignatureErrorCode, isSignatureError } from '../errors.js';
import { buildSimpleSigningPayload, parseSimpleSigningPayload, SIMPLE_SIGNING_TYPE } from './payload.js';

const digest = digestOf('{"schemaVersion":2}');
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isSignatureError(err)) return err.code;
    throw err;
  }
  return undefined;
}

const good = () => ({
  critical: { identity: { 'docker-reference': 'example.com/app:1' }, image: { 'docker-manifest-digest': digest }, type: SIMPLE_SIGNING_TYPE },
  optional: { creator: 'x', timestamp: 1700000000 },
});

describe('simple signing payload', () => {
  it('builds the containers/image layout, keys sorted, reference normalised', () => {
    const bytes = buildSimpleSigningPayload({ dockerReference: 'busybox:1', manifestDigest: digest, creator: 'ocikit', timestamp: 1700000000 });
    expect(new TextDecoder().decode(bytes)).toBe(
      `{"critical":{"identity":{"docker-reference":"docker.io/library/busybox:1"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature"},"optional":{"creator":"ocikit","timestamp":1700000000}}`,
    );
  });

  it('round-trips through parse', () => {
    const bytes = buildSimpleSigningPayload({ dockerReference: 'localhost:5000/a/b@' + digest, manifestDigest: digest, optional: { note: 'n' } });
    const p = parseSimpleSigningPayload(bytes);
    expect(p).toEqual({ dockerReference: `localhost:5000/a/b@${digest}`, manifestDigest: digest, type: SIMPLE_SIGNING_TYPE, optional: { note: 'n' } });
    const q = parseSimpleSigningPayload(enc(good()));
    expect(q.creator).toBe('x');
    expect(q.timestamp).toBe(1700000000);
  });

  it('refuses to sign a bare name, an invalid reference or digest', () => {
    expect(codeOf(() => buildSimpleSigningPayload({ dockerReference: 'busybox', manifestDigest: digest }))).toBe(SignatureErrorCode.InvalidArgument);
    expect(codeOf(() => buildSimpleSigningPayload({ dockerReference: 'Not A Ref', manifestDigest: digest }))).toBe(SignatureErrorCode.InvalidArgument);
    expect(codeOf(() => buildSimpleSigningPayload({ dockerReference: 'a:1', manifestDigest: 'sha256:abc' }))).toBe(SignatureErrorCode.InvalidArgument);
  });

  it('refuses an unknown key in critical and in its objects', () => {
    const a = good();
    (a.critical as Record<string, unknown>)['extra'] = 1;
    expect(codeOf(() => parseSimpleSigningPayload(enc(a)))).toBe(SignatureErrorCode.UnknownCriticalKey);
    const b = good();
    (b.critical.identity as Record<string, unknown>)['x'] = 'y';
    expect(codeOf(() => parseSimpleSigningPayload(enc(b)))).toBe(SignatureErrorCode.UnknownCriticalKey);
    const c = good();
    (c.critical.image as Record<string, unknown>)['x'] = 'y';
    expect(codeOf(() => parseSimpleSigningPayload(enc(c)))).toBe(SignatureErrorCode.UnknownCriticalKey);
  });

  it('allows unknown optional keys but checks known ones', () => {
    const a = good();
    (a.optional as Record<string, unknown>)['whatever'] = [1];
    expect(parseSimpleSigningPayload(enc(a)).optional['whatever']).toEqual([1]);
    const b = good();
    (b.optional as Record<string, unknown>)['timestamp'] = 1.5;
    expect(codeOf(() => parseSimpleSigningPayload(enc(b)))).toBe(SignatureErrorCode.PayloadInvalid);
  });

  it('refuses a wrong type, bad digest, bad reference, missing keys, non-JSON, duplicates, huge input', () => {
    const a = good();
    a.critical.type = 'cosign container image signature';
    expect(codeOf(() => parseSimpleSigningPayload(enc(a)))).toBe(SignatureErrorCode.WrongType);
    const b = good();
    b.critical.image['docker-manifest-digest'] = 'sha256:zz';
    expect(codeOf(() => parseSimpleSigningPayload(enc(b)))).toBe(SignatureErrorCode.PayloadInvalid);
    const c = good();
    c.critical.identity['docker-reference'] = 'example.com/Bad Name';
    expect(codeOf(() => parseSimpleSigningPayload(enc(c)))).toBe(SignatureErrorCode.PayloadInvalid);
    expect(codeOf(() => parseSimpleSigningPayload(enc({ critical: good().critical })))).toBe(SignatureErrorCode.PayloadInvalid);
    expect(codeOf(() => parseSimpleSigningPayload(enc('not json')))).toBe(SignatureErrorCode.PayloadInvalid);
    expect(codeOf(() => parseSimpleSigningPayload(enc('[]')))).toBe(SignatureErrorCode.PayloadInvalid);
    const dup = JSON.stringify(good()).replace('"optional":{', '"optional":{"creator":"a",');
    expect(codeOf(() => parseSimpleSigningPayload(enc(dup)))).toBe(SignatureErrorCode.PayloadInvalid);
    expect(codeOf(() => parseSimpleSigningPayload(new Uint8Array(5 * 1024 * 1024)))).toBe(SignatureErrorCode.PayloadInvalid);
  });
});
