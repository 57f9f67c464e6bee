import { validate as validateImage } from '@ocikit/image-spec';
import { validate as validateRuntime, validateBundle } from '@ocikit/runtime-spec';
import type { DocumentKind } from './kinds.js';
import { InputError } from './read-input.js';
import type { ReportFinding } from '../types/validate-report.js';

export interface DocumentVerdict {
  valid: boolean;
  errors: ReportFinding[];
  warnings: ReportFinding[];
}

const RUNTIME_KINDS = new Set<DocumentKind>(['runtime-config', 'runtime-state', 'runtime-features']);

/**
 * Validate one document's raw bytes as `kind`, through the spec package that
 * owns the kind. Raw bytes (not a parsed object) let the validators check
 * UTF-8 and duplicate keys too.
 */
export function validateDocument(kind: DocumentKind, bytes: Uint8Array): DocumentVerdict {
  const r = RUNTIME_KINDS.has(kind)
    ? validateRuntime(kind as 'runtime-config' | 'runtime-state' | 'runtime-features', bytes)
    : validateImage(kind as Exclude<DocumentKind, 'runtime-config' | 'runtime-state' | 'runtime-features'>, bytes);
  return { valid: r.valid, errors: r.errors, warnings: r.warnings };
}

/** Validate a directory as a whole: a runtime bundle (or, later, an image layout). */
export async function validateDirectory(dir: string, kind: 'bundle' | 'image-layout', options: { hostSpecific?: boolean }): Promise<DocumentVerdict & { path: string; type: string }> {
  if (kind === 'image-layout') {
    throw new InputError('PATH_UNSUPPORTED', `${dir}: image-layout validation needs the layout store of @ocikit/bundle, which is not available yet`);
  }
  const r = await validateBundle(dir, { hostChecks: options.hostSpecific === true });
  return { path: dir, type: kind, valid: r.valid, errors: r.errors, warnings: r.warnings };
}
