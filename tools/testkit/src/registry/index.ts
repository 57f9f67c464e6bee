// The real registry, its token issuer and the fault proxy, without jest: benchmarks import this entry (@ocikit/testkit/registry).
export { startRegistry, TOKEN_ISSUER, TOKEN_SERVICE, type RunningRegistry, type StartRegistryOptions } from './registry.js';
export type { RegistryUser } from './users.js';
export { startTokenIssuer, type RunningTokenIssuer, type TokenIssuerOptions, type TokenRequestRecord } from './token-issuer.js';
export { decodeJwtClaims, type RegistryClaims, type ResourceActions } from './jwt.js';
export { startFaultProxy, type Fault, type FaultAction, type ProxiedRequest, type RunningProxy } from './fault-proxy.js';
export { isProcessAlive } from './processes.js';
export { makeCertificateAuthority, issueCertificate, type CertificateFiles } from './certificates.js';
