import type * as ImageSpec from '@ocikit/image-spec';
import type * as RuntimeSpec from '@ocikit/runtime-spec';
import type { DocumentKind } from './kinds.js';
import { InputError } from './read-input.js';
import type { ReportFinding } from '../types/validate-report.js';

export interface DocumentVerdict {
  valid: boolean;
  errors: ReportFinding[];
  warnings: ReportFinding[];
}

type RuntimeKind = 'runtime-config' | 'runtime-state' | 'runtime-features';
type ImageKind = Exclude<DocumentKind, RuntimeKind>;
const RUNTIME_KINDS = new Set<DocumentKind>(['runtime-config', 'runtime-state', 'runtime-features']);

// Each spec package is imported on first use only: validating one manifest
// never loads the runtime-spec validators, and start-up stays close to bare node.
let runtimeSpec: Promise<typeof RuntimeSpec> | undefined;
let imageSpec: Promise<typeof ImageSpec> | undefined;
const loadRuntimeSpec = () => (runtimeSpec ??= import('@ocikit/runtime-spec'));
const loadImageSpec = () => (imageSpec ??= import('@ocikit/image-spec'));

/**
 * Validate one parsed document as `kind`, through the spec package that owns
 * the kind. The caller has read the text (see run.ts).
 */
export async function validateDocument(kind: DocumentKind, doc: unknown): Promise<DocumentVerdict> {
  const r = RUNTIME_KINDS.has(kind)
    ? (await loadRuntimeSpec()).validate(kind as RuntimeKind, doc)
    : (await loadImageSpec()).validate(kind as ImageKind, doc);
  return { valid: r.valid, errors: r.errors, warnings: r.warnings };
}

/** Validate a directory as a whole: a runtime bundle (or, later, an image layout). */
export async function validateDirectory(dir: string, kind: 'bundle' | 'image-layout', options: { hostSpecific?: boolean }): Promise<DocumentVerdict & { path: string; type: string }> {
  if (kind === 'image-layout') {
    throw new InputError('PATH_UNSUPPORTED', `${dir}: image-layout validation needs the layout store of @ocikit/bundle, which is not available yet`);
  }
  const r = await (await loadRuntimeSpec()).validateBundle(dir, { hostChecks: options.hostSpecific === true });
  return { path: dir, type: kind, valid: r.valid, errors: r.errors, warnings: r.warnings };
}
