import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SignatureError, SignatureErrorCode } from '../errors.js';
import { MAX_PAYLOAD_BYTES } from '../simple-signing/payload.js';
import { IdentityPolicy } from '../simple-signing/verify.js';
import { handMadeCosignSignature, handMadeKey, sha256Digest } from '../test-support/cosign.js';
import { buildCosignPayload, COSIGN_SIGNATURE_TYPE, parseCosignPayload, signCosign, verifyCosignSignature, type VerifyCosignSignatureOptions } from './simple-signing.js';

const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');
const digest = sha256Digest(manifest);
const key = handMadeKey();
const other = handMadeKey();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignatureError) return err.code;
    throw err;
  }
  return undefined;
}

/** A signature as cosign makes it by default: the bare repository as identity, no annotations. */
function cosignDefault(): VerifyCosignSignatureOptions {
  const { payload, signature } = handMadeCosignSignature(key.privateKey, 'registry.example/team/app', digest);
  return { payload, signature, publicKey: key.publicPem, manifest, expectedReference: 'registry.example/team/app:1.0', identityPolicy: IdentityPolicy.MatchRepository };
}

describe('cosign payload', () => {
  it("writes the simple signing layout with cosign's type", () => {
    const bytes = buildCosignPayload({ dockerReference: 'registry.example/team/app:1.0', manifestDigest: digest, optional: { team: 'a' } });
    expect(Buffer.from(bytes).toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"registry.example/team/app:1.0"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":{"team":"a"}}`,
    );
    expect(parseCosignPayload(bytes)).toMatchObject({ type: COSIGN_SIGNATURE_TYPE, manifestDigest: digest, optional: { team: 'a' } });
  });

  it('reads "optional": null, which cosign writes when there are no annotations', () => {
    const { payload } = handMadeCosignSignature(key.privateKey, 'registry.example/team/app', digest);
    expect(parseCosignPayload(payload)).toEqual({ dockerReference: 'registry.example/team/app', manifestDigest: digest, type: COSIGN_SIGNATURE_TYPE, optional: {} });
  });

  it('refuses the containers/image type, and keeps refusing unknown critical keys', () => {
    const atomic = handMadeCosignSignature(key.privateKey, 'registry.example/team/app:1', digest, {}, 'atomic container signature').payload;
    expect(codeOf(() => parseCosignPayload(atomic))).toBe(SignatureErrorCode.WrongType);
    const extra = Buffer.from(`{"critical":{"identity":{"docker-reference":"a/b:1"},"image":{"docker-manifest-digest":"${digest}"},"type":"${COSIGN_SIGNATURE_TYPE}","x":1},"optional":null}`);
    expect(codeOf(() => parseCosignPayload(extra))).toBe(SignatureErrorCode.UnknownCriticalKey);
  });
});

describe('cosign signatures made by node:crypto alone', () => {
  it('verify, with the repository-only identity cosign writes, when repository matching is asked', () => {
    const v = verifyCosignSignature(cosignDefault());
    expect(v.manifestDigest).toBe(digest);
    expect(v.payload.dockerReference).toBe('registry.example/team/app');
  });

  it('verify exactly when the identity names the tag, and for the repository when only a digest is expected', () => {
    const { payload, signature } = handMadeCosignSignature(key.privateKey, 'registry.example/team/app:1.0', digest, { team: 'a' });
    const base = { payload, signature, publicKey: key.publicKey, manifest };
    expect(verifyCosignSignature({ ...base, expectedReference: 'registry.example/team/app:1.0' }).payload.optional).toEqual({ team: 'a' });
    expect(verifyCosignSignature({ ...base, expectedReference: `registry.example/team/app@${digest}` }).manifestDigest).toBe(digest);
    expect(codeOf(() => verifyCosignSignature({ ...base, expectedReference: 'registry.example/team/app:2.0' }))).toBe(SignatureErrorCode.IdentityMismatch);
    expect(codeOf(() => verifyCosignSignature({ ...base, expectedReference: 'registry.example/team/other:1.0', identityPolicy: IdentityPolicy.MatchRepository }))).toBe(
      SignatureErrorCode.IdentityMismatch,
    );
  });

  it('refuse a repository-only identity under the default, exact policy', () => {
    const { identityPolicy: _, ...exact } = cosignDefault();
    expect(codeOf(() => verifyCosignSignature(exact))).toBe(SignatureErrorCode.IdentityMismatch);
  });

  it('refuse under another key, for another manifest, of another type', () => {
    expect(codeOf(() => verifyCosignSignature({ ...cosignDefault(), publicKey: other.publicKey }))).toBe(SignatureErrorCode.BadSignature);
    expect(codeOf(() => verifyCosignSignature({ ...cosignDefault(), manifest: Buffer.from('{"schemaVersion":2}') }))).toBe(SignatureErrorCode.DigestMismatch);
    const atomic = handMadeCosignSignature(key.privateKey, 'registry.example/team/app:1.0', digest, {}, 'atomic container signature');
    expect(codeOf(() => verifyCosignSignature({ ...cosignDefault(), ...atomic }))).toBe(SignatureErrorCode.WrongType);
  });

  it('refuse what is not a signature, a huge payload, an unknown policy', () => {
    for (const signature of ['', 'not base64!', 'AAAA', Buffer.from('garbage').toString('base64')]) {
      expect(codeOf(() => verifyCosignSignature({ ...cosignDefault(), signature }))).toBe(SignatureErrorCode.BadSignature);
    }
    expect(codeOf(() => verifyCosignSignature({ ...cosignDefault(), payload: Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20) }))).toBe(SignatureErrorCode.PayloadInvalid);
    expect(codeOf(() => verifyCosignSignature({ ...cosignDefault(), identityPolicy: 'anything' as IdentityPolicy }))).toBe(SignatureErrorCode.InvalidArgument);
  });

  it('refuse a signature that verifies over bytes that are not JSON (signed garbage is still garbage)', () => {
    const payload = Buffer.from('not json');
    const signature = sign('sha256', payload, { key: key.privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(codeOf(() => verifyCosignSignature({ ...cosignDefault(), payload, signature }))).toBe(SignatureErrorCode.PayloadInvalid);
  });
});

describe('signatures made here', () => {
  it('verify under node:crypto alone, over the payload bytes, DER', () => {
    const s = signCosign({ manifest, dockerReference: 'registry.example/team/app:1.0', privateKey: key.privateKey });
    expect(s.manifestDigest).toBe(digest);
    expect(verify('sha256', s.payload, { key: createPublicKey(key.publicPem), dsaEncoding: 'der' }, Buffer.from(s.signature, 'base64'))).toBe(true);
    expect(verifyCosignSignature({ ...s, publicKey: key.publicKey, manifest, expectedReference: 'registry.example/team/app:1.0' }).payload.dockerReference).toBe('registry.example/team/app:1.0');
  });
});

describe('any changed byte fails verification (property)', () => {
  const good = () => cosignDefault();
  /** A position in `length` bytes and a non-zero change to the byte there. */
  const change = (length: number) => fc.tuple(fc.nat({ max: length - 1 }), fc.integer({ min: 1, max: 255 }));
  const flipped = (bytes: Uint8Array, [at, by]: [number, number]) => {
    const copy = Buffer.from(bytes);
    copy[at] = (copy[at]! + by) & 0xff;
    return copy;
  };

  it('holds as a baseline: the unchanged signature verifies', () => {
    expect(() => verifyCosignSignature(good())).not.toThrow();
  });

  it('of the payload', () => {
    const g = good();
    fc.assert(
      fc.property(change(g.payload.length), (c) => {
        expect(codeOf(() => verifyCosignSignature({ ...g, payload: flipped(g.payload, c) }))).toBe(SignatureErrorCode.BadSignature);
      }),
    );
  });

  it('of the DER signature', () => {
    const g = good();
    const der = Buffer.from(g.signature, 'base64');
    fc.assert(
      fc.property(change(der.length), (c) => {
        expect(codeOf(() => verifyCosignSignature({ ...g, signature: flipped(der, c).toString('base64') }))).toBe(SignatureErrorCode.BadSignature);
      }),
    );
  });

  it('of the base64 text of the signature', () => {
    const g = good();
    const text = Buffer.from(g.signature, 'latin1');
    fc.assert(
      fc.property(change(text.length), (c) => {
        expect(codeOf(() => verifyCosignSignature({ ...g, signature: flipped(text, c).toString('latin1') }))).toBe(SignatureErrorCode.BadSignature);
      }),
    );
  });

  it('of the manifest', () => {
    const g = good();
    fc.assert(
      fc.property(change(manifest.length), (c) => {
        expect([SignatureErrorCode.DigestMismatch, SignatureErrorCode.UnsupportedManifest]).toContain(codeOf(() => verifyCosignSignature({ ...g, manifest: flipped(manifest, c) })));
      }),
    );
  });
});
