/**
 * The kinds `ocikit validate` knows, and how a kind is recognised when the
 * user does not name it: a `mediaType`, the file name, the shape of the JSON,
 * the contents of a directory.
 */
import { kindForMediaType } from '@ocikit/image-spec/media-types';
import { DOCUMENT_KINDS as IMAGE_KINDS, type DocumentKind as ImageKind } from '@ocikit/image-spec/kinds';
import { DOCUMENT_KINDS as RUNTIME_KINDS, isDocumentKind as isRuntimeKind, type DocumentKind as RuntimeKind } from '@ocikit/runtime-spec/kinds';

export { isRuntimeKind };

/**
 * Every document kind `ocikit validate` takes: each spec package's own
 * (`DOCUMENT_KINDS` of @ocikit/runtime-spec and of @ocikit/image-spec), read
 * from their light `kinds` entries so that listing kinds loads no validator.
 */
export const DOCUMENT_KINDS = [...RUNTIME_KINDS, ...IMAGE_KINDS] as const;
export type DocumentKind = RuntimeKind | ImageKind;

export const DIRECTORY_KINDS = ['image-layout', 'bundle'] as const;
export type DirectoryKind = (typeof DIRECTORY_KINDS)[number];

export type ValidateKind = DocumentKind | DirectoryKind;
export const VALIDATE_KINDS: readonly ValidateKind[] = [...DOCUMENT_KINDS, ...DIRECTORY_KINDS];

export function isValidateKind(s: string): s is ValidateKind {
  return (VALIDATE_KINDS as readonly string[]).includes(s);
}

export type Detection =
  | { kind: ValidateKind }
  | { ambiguous: ValidateKind[] }
  | { unknown: true };

function has(o: Record<string, unknown>, ...keys: string[]): boolean {
  return keys.every((k) => Object.prototype.hasOwnProperty.call(o, k));
}

/**
 * Recognise a parsed JSON document. `fileName` is the base name, or undefined
 * for standard input. Only candidates the shape supports are returned.
 */
export function detectDocumentKind(fileName: string | undefined, doc: unknown): Detection {
  if (fileName === 'oci-layout') return { kind: 'oci-layout' };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return fileName === 'index.json' ? { kind: 'image-index' } : { unknown: true };
  }
  const o = doc as Record<string, unknown>;
  const mediaType = typeof o['mediaType'] === 'string' ? o['mediaType'] : undefined;
  // A descriptor carries a mediaType too: it is the one with digest and size.
  if (has(o, 'digest', 'size')) return { kind: 'descriptor' };
  // A media type that names a document kind outright (image-spec's own table).
  const named = mediaType === undefined ? undefined : kindForMediaType(mediaType);
  if (named !== undefined) return { kind: named };

  const candidates = new Set<DocumentKind>();
  if (has(o, 'imageLayoutVersion')) candidates.add('oci-layout');
  if (has(o, 'schemaVersion') && has(o, 'manifests')) candidates.add('image-index');
  if (has(o, 'schemaVersion') && (has(o, 'config') || has(o, 'layers')) && !has(o, 'manifests')) candidates.add('image-manifest');
  if (has(o, 'ociVersionMin') || has(o, 'ociVersionMax')) candidates.add('runtime-features');
  if (has(o, 'ociVersion') && has(o, 'status') && has(o, 'id')) candidates.add('runtime-state');
  if (has(o, 'ociVersion') && !has(o, 'status') && !has(o, 'ociVersionMin') && !has(o, 'ociVersionMax')) candidates.add('runtime-config');
  if (has(o, 'rootfs') && !has(o, 'ociVersion') && (has(o, 'architecture') || has(o, 'os'))) candidates.add('image-config');
  else if (has(o, 'architecture') && has(o, 'os') && !has(o, 'ociVersion') && !has(o, 'schemaVersion')) candidates.add('image-config');

  if (candidates.size === 0 && fileName === 'index.json') return { kind: 'image-index' };
  if (candidates.size === 1) return { kind: [...candidates][0]! };
  if (candidates.size === 0) return { unknown: true };
  return { ambiguous: [...candidates] };
}

/** Recognise a directory by the files at its top. */
export function detectDirectoryKind(entries: ReadonlySet<string>): Detection {
  const layout = entries.has('oci-layout');
  const bundle = entries.has('config.json') && entries.has('rootfs');
  if (layout && bundle) return { ambiguous: ['image-layout', 'bundle'] };
  if (layout) return { kind: 'image-layout' };
  if (bundle) return { kind: 'bundle' };
  return { unknown: true };
}
