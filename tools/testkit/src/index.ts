// @ocikit/testkit: helpers for the test suites of every workspace. Private; never imported at run time.
export { describePeer, findExecutable, findPeer, havePeers, isCI, missingPeers, peerPath, type PeerName } from './peers.js';
export { describeWithPeers, itWithPeers } from './suites.js';
export { scratch, scratchBase, scratchDir, suiteScratch, testScratch } from './scratch.js';
export { startRegistry, TOKEN_ISSUER, TOKEN_SERVICE, type RunningRegistry, type StartRegistryOptions } from './registry/registry.js';
export type { RegistryUser } from './registry/users.js';
export { startTokenIssuer, type RunningTokenIssuer, type TokenIssuerOptions, type TokenRequestRecord } from './registry/token-issuer.js';
export { decodeJwtClaims, type RegistryClaims, type ResourceActions } from './registry/jwt.js';
export { startFaultProxy, type Fault, type FaultAction, type ProxiedRequest, type RunningProxy } from './registry/fault-proxy.js';
export { isProcessAlive } from './registry/processes.js';
export { makeCertificateAuthority, issueCertificate, type CertificateFiles } from './registry/certificates.js';
export { rejection } from './rejection.js';
