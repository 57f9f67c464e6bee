/** Version of the OCI runtime-spec this package implements. */
export const RUNTIME_SPEC_VERSION = '1.3.0';

export type { State, ContainerStatus } from './types/state.js';
export { SCHEMA_KINDS, schemaValidators, schemaIds, type SchemaKind } from './generated/kinds.js';
export type { Finding, Level, ValidationResult } from './generated/validation-runtime.js';
