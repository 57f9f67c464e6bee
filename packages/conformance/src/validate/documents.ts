import { stat } from 'node:fs/promises';
import type * as Bundle from '@ocikit/bundle';
import type * as ImageSpec from '@ocikit/image-spec';
import type * as RuntimeSpec from '@ocikit/runtime-spec';
import { filterFindings, type Level } from '@ocikit/validation';
import { isRuntimeKind, type DocumentKind } from './kinds.js';
import type { ReportFinding } from '../types/validate-report.js';

export interface DocumentVerdict {
  valid: boolean;
  errors: ReportFinding[];
  warnings: ReportFinding[];
}

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
export async function validateDocument(kind: DocumentKind, doc: unknown, level?: Level): Promise<DocumentVerdict> {
  const options = level === undefined ? {} : { level };
  const r = isRuntimeKind(kind)
    ? (await loadRuntimeSpec()).validate(kind, doc, options)
    : (await loadImageSpec()).validate(kind, doc, options);
  return { valid: r.valid, errors: r.errors, warnings: r.warnings };
}

export interface DirectoryOptions {
  hostSpecific?: boolean;
  deep?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Least strict level of the warnings reported (the spec packages' default when unset). */
  level?: Level | undefined;
}

/**
 * Validate a whole directory: a runtime bundle through @ocikit/runtime-spec,
 * an image layout (a directory, or an oci-archive tar file) through
 * @ocikit/bundle.
 */
export async function validateDirectory(location: string, kind: 'bundle' | 'image-layout', options: DirectoryOptions): Promise<DocumentVerdict & { path: string; type: string }> {
  if (kind === 'bundle') {
    const r = await (await loadRuntimeSpec()).validateBundle(location, { hostChecks: options.hostSpecific === true, ...(options.level && { level: options.level }) });
    return { path: location, type: kind, valid: r.valid, errors: r.errors, warnings: r.warnings };
  }
  const layoutOptions = { deep: options.deep === true, ...(options.onProgress && { onBlob: options.onProgress }) };
  if ((await stat(location)).isDirectory()) {
    const r = atLevel(await (await loadLayoutValidation()).validateLayout(location, layoutOptions), options.level);
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
    const r = atLevel(await bundle.validateLayout(opened.layout.dir, layoutOptions), options.level);
    return { path: location, type: kind, valid: r.valid, errors: r.errors, warnings: r.warnings };
  } finally {
    opened.close();
  }
}

/** Layout validation takes no level: its findings go through the shared filter. */
function atLevel<R extends DocumentVerdict>(r: R, level: Level | undefined): R {
  return level === undefined ? r : { ...r, ...filterFindings(r, level) };
}
