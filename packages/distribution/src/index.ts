// @ocikit/distribution: a client of the OCI distribution-spec (v1.1). See README.md.
export { DISTRIBUTION_SPEC, RegistryError, RegistryErrorCode, isRegistryError, type RegistryErrorOptions } from './errors.js';
export { isIdentityToken, type BasicCredentials, type CredentialResolver, type Credentials, type IdentityTokenCredentials } from './credentials/credentials.js';
export { RegistryClient, DEFAULT_USER_AGENT, type RegistryClientOptions } from './client/registry-client.js';
export { Repository } from './client/repository.js';
export type { RegistryRequest } from './client/requester.js';
export type { FetchBlobOptions } from './client/download.js';
export type { PushBlobOptions, PushBlobResult } from './client/upload.js';
export { MANIFEST_MEDIA_TYPES, MANIFEST_SIZE_LIMIT } from './client/content.js';
export { referrersTag, referrerDescriptor } from './referrers.js';
export { parseChallenges, type Challenge } from './auth/challenge.js';
export { mergeScopes, repositoryScope, CATALOG_SCOPE } from './auth/scope.js';
export { RetryPolicy, parseRetryAfter, type RetryOptions } from './http/retry.js';
export { linkTarget } from './http/link.js';
export type { HttpResponse, ResponseBody } from './http/transport.js';
export { resolveCredentials, credentialResolver, staticCredentialResolver, decodeAuthEntry, DOCKER_IO_LEGACY_KEY, type CredentialsReference, saveCredentials, removeCredentials, removeAllCredentials, type SavedCredentials, parseCreds, splitCreds, credsNeedPassword, completeCreds, type CredsOption, authFileSearchPaths, primaryAuthFile, readAuthFile, AUTH_FILE_LIMIT, type AuthFileOptions, type AuthFilePath, type AuthFile, type AuthEntry, CredentialsError, CredentialsErrorReason, isCredentialsError, sealCredentials, REDACTED, helperGet, helperStore, helperErase, CREDENTIALS_NOT_FOUND, DEFAULT_HELPER_TIMEOUT_MS, type HelperOptions } from './credentials/index.js';
export { writeFileAtomic, type WriteFileAtomicOptions } from './credentials/atomic-write.js';
