// Where registry credentials come from and where login/logout put them. See README "Credentials".
export { resolveCredentials, credentialResolver, staticCredentialResolver, decodeAuthEntry, DOCKER_IO_LEGACY_KEY, type CredentialsReference } from './resolve.js';
export { saveCredentials, removeCredentials, removeAllCredentials, type SavedCredentials } from './store.js';
export { parseCreds, splitCreds, credsNeedPassword, completeCreds, type CredsOption } from './creds-option.js';
export { authFileSearchPaths, primaryAuthFile, readAuthFile, AUTH_FILE_LIMIT, type AuthFileOptions, type AuthFilePath, type AuthFile, type AuthEntry } from './auth-file.js';
export { CredentialsError, CredentialsErrorReason, isCredentialsError } from './errors.js';
export { sealCredentials, REDACTED } from './sealed.js';
export { helperGet, helperStore, helperErase, CREDENTIALS_NOT_FOUND, DEFAULT_HELPER_TIMEOUT_MS, type HelperOptions } from './helper.js';
