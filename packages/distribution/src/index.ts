// @ocikit/distribution: a client of the OCI distribution-spec (v1.1). See README.md.
export { DISTRIBUTION_SPEC, RegistryError, RegistryErrorCode, isRegistryError, type RegistryErrorOptions } from './errors.js';
export { isIdentityToken, type BasicCredentials, type CredentialResolver, type Credentials, type IdentityTokenCredentials } from './credentials/credentials.js';
