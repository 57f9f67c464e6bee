/**
 * @ocikit/errors: the one base of ocikit's typed errors, and the type that
 * derives a code union from its vocabulary. Imports no other @ocikit package;
 * every other package imports it.
 */
export { OcikitError, type OcikitErrorJson, type OcikitErrorOptions } from './ocikit-error.js';
export type { CodeOf } from './code-of.js';
export { quote } from './quote.js';
