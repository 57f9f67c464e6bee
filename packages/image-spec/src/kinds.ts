/**
 * The document kinds this package validates, without loading the validators:
 * a light entry (`@ocikit/image-spec/kinds`) for tools that only list or
 * dispatch on kinds.
 */
import { SCHEMA_KINDS, type SchemaKind } from './generated/schema-kinds.js';

/** Every document kind `validate`, `parse` and `is` take, in registry order. */
export const DOCUMENT_KINDS = SCHEMA_KINDS;
export type DocumentKind = SchemaKind;

/** True when `x` names a document kind of this package. */
export function isDocumentKind(x: unknown): x is DocumentKind {
  return typeof x === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(x);
}
