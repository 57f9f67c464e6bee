import { stat } from 'node:fs/promises';
import type * as Bundle from '@ocikit/bundle';
import type * as ImageSpec from '@ocikit/image-spec';
import type * as RuntimeSpec from '@ocikit/runtime-spec';
import type { DocumentKind } from './kinds.js';
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
let bundlePackage: Promise<typeof Bundle> | undefined;
const loadBundle = () => (bundlePackage ??= import('@ocikit/bundle'));
// A layout directory needs only the layout validator (no tar, unpack or pack code).
const loadLayoutValidation = () => import('@ocikit/bundle/layout-validation');

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

export interface DirectoryOptions {
  hostSpecific?: boolean;
  deep?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Validate a whole directory: a runtime bundle through @ocikit/runtime-spec,
 * an image layout (a directory, or an oci-archive tar file) through
 * @ocikit/bundle.
 */
export async function validateDirectory(location: string, kind: 'bundle' | 'image-layout', options: DirectoryOptions): Promise<DocumentVerdict & { path: string; type: string }> {
  if (kind === 'bundle') {
    const r = await (await loadRuntimeSpec()).validateBundle(location, { hostChecks: options.hostSpecific === true });
    return { path: location, type: kind, valid: r.valid, errors: r.errors, warnings: r.warnings };
  }
  const layoutOptions = { deep: options.deep === true, ...(options.onProgress && { onBlob: options.onProgress }) };
  if ((await stat(location)).isDirectory()) {
    const r = await (await loadLayoutValidation()).validateLayout(location, layoutOptions);
    return { path: location, type: kind, valid: r.valid, errors: r.errors, warnings: r.warnings };
  }
  const bundle = await loadBundle();
  // An oci-archive: extracted (confined) into a scratch directory, then validated.
  let opened;
  try {
    opened = await bundle.openLayout(location);
  } catch (err) {
    if (!bundle.isBundleError(err)) throw err;
    const f = { path: '', message: err.message, code: err.code, level: 'MUST' as const, ref: err.ref ?? 'https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md' };
    return { path: location, type: kind, valid: false, errors: [f], warnings: [] };
  }
  try {
    const r = await bundle.validateLayout(opened.layout.dir, layoutOptions);
    return { path: location, type: kind, valid: r.valid, errors: r.errors, warnings: r.warnings };
  } finally {
    opened.close();
  }
}
