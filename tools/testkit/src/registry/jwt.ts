/**
 * Compact JWS tokens as docker-registry's token auth verifies them
 * (distribution docs/spec/auth/jwt.md; registry/auth/token/token.go in v2.8):
 * the header's `x5c` carries the signing certificate, which must chain to the
 * registry's `rootcertbundle`; the claims carry `iss`, `aud` (a single string
 * in v2.8), `exp`/`nbf` (checked with 60 s leeway) and the granted `access`.
 * ES256 with a P-256 key: the signature is the raw r||s pair (RFC 7518 §3.4),
 * which is what libtrust's verifier reads.
 */
import { createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';

/** One resource's granted actions, as in the token's `access` claim. */
export interface ResourceActions {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

export interface RegistryClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
  readonly nbf: number;
  readonly iat: number;
  readonly jti: string;
  readonly access: readonly ResourceActions[];
}

export interface JwtSigner {
  readonly key: KeyObject;
  /** DER certificates, base64 (not base64url: RFC 7515 §4.1.6), leaf first. */
  readonly x5c: readonly string[];
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A signer from a PEM private key and the PEM certificates of its chain, leaf first. */
export function jwtSigner(keyPem: string, chainPem: readonly string[]): JwtSigner {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the token signing key must be an EC P-256 key (ES256)');
  }
  return { key, x5c: chainPem.map((pem) => new X509Certificate(pem).raw.toString('base64')) };
}

/** The compact serialization of `claims` signed with ES256. */
export function signJwt(claims: RegistryClaims, signer: JwtSigner): string {
  const header = { typ: 'JWT', alg: 'ES256', x5c: signer.x5c };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}

/** The claims of a compact JWT, unverified: for tests that look at what was granted. */
export function decodeJwtClaims(token: string): RegistryClaims {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a compact JWT (no claims part)');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as RegistryClaims;
}
