/**
 * cosign signatures made with node:crypto alone, the way cosign makes them,
 * and nothing from this package: a payload written out by hand (Go's field
 * order, `"optional":null` when there are no annotations, the repository
 * alone as `docker-reference` unless an identity is given), ECDSA P-256 over
 * SHA-256, DER, base64. What the code under test verifies must be these.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface HandMadeKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `PUBLIC KEY` PEM, as cosign.pub holds it. */
  publicPem: string;
}

export function handMadeKey(): HandMadeKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface HandMadeSignature {
  payload: Buffer;
  /** Base64 of the DER signature. */
  signature: string;
}

/**
 * The payload `cosign sign` writes for `manifestDigest` (sigstore
 * pkg/signature/payload), signed with `key`. `identity` is the whole
 * `docker-reference` (cosign's default is the bare repository).
 */
export function handMadeCosignSignature(key: KeyObject, identity: string, manifestDigest: string, optional?: Record<string, unknown>, type = 'cosign container image signature'): HandMadeSignature {
  const payload = Buffer.from(
    `{"critical":{"identity":{"docker-reference":${JSON.stringify(identity)}},"image":{"docker-manifest-digest":${JSON.stringify(manifestDigest)}},"type":${JSON.stringify(type)}},"optional":${optional === undefined ? 'null' : JSON.stringify(optional)}}`,
  );
  const signature = sign('sha256', payload, { key, dsaEncoding: 'der' }).toString('base64');
  return { payload, signature };
}
