/**
 * Validation of image-spec documents: structure from the generated schema
 * (ajv, compiled ahead of time), meaning from code (`rules/`), and, when
 * given text or bytes, the raw JSON (UTF-8, duplicate names, depth).
 *
 * Three verbs per kind: `validate*` returns findings and never throws,
 * `parse*` throws {@link InvalidDocumentError}, `is*` is a type guard.
 */
import { SCHEMA_KINDS, schemaValidators, type SchemaKind } from './generated/kinds.js';
import { schemaFindings, type Finding, type ValidationResult } from './generated/validation-runtime.js';
import { InvalidDocumentError } from './errors.js';
import { readJsonText, type JsonTextOptions } from './generated/json-text.js';
import { Ref } from './spec-refs.js';
import type { Context } from './rules/common.js';
import {
  checkDescriptorDocument,
  checkDockerManifest,
  checkDockerManifestList,
  checkImageConfig,
  checkImageIndex,
  checkImageLayout,
  checkImageManifest,
} from './rules/documents.js';
import type { Descriptor } from './types/descriptor.js';
import type { ImageManifest } from './types/manifest.js';
import type { ImageIndex } from './types/image-index.js';
import type { ImageConfig } from './types/image-config.js';
import type { ImageLayout } from './types/image-layout.js';
import type { DockerManifest, DockerManifestList } from './types/docker-schema2.js';

/** Every document kind this package validates. */
export const DOCUMENT_KINDS = SCHEMA_KINDS;
export type DocumentKind = SchemaKind;

/** The TypeScript type of each kind. */
export interface DocumentTypes {
  descriptor: Descriptor;
  'image-manifest': ImageManifest;
  'image-index': ImageIndex;
  'image-config': ImageConfig;
  'oci-layout': ImageLayout;
  'docker-manifest': DockerManifest;
  'docker-manifest-list': DockerManifestList;
}

export type ValidateOptions = JsonTextOptions;

const RULES: Readonly<Record<DocumentKind, (ctx: Context, doc: unknown) => void>> = {
  descriptor: checkDescriptorDocument,
  'image-manifest': checkImageManifest,
  'image-index': checkImageIndex,
  'image-config': checkImageConfig,
  'oci-layout': checkImageLayout,
  'docker-manifest': checkDockerManifest,
  'docker-manifest-list': checkDockerManifestList,
};

/** Spec section a structural (schema) finding of each kind links to. */
const SCHEMA_REF: Readonly<Record<DocumentKind, string>> = {
  descriptor: Ref.DescriptorProperties,
  'image-manifest': Ref.ManifestProperties,
  'image-index': Ref.IndexProperties,
  'image-config': Ref.ConfigProperties,
  'oci-layout': Ref.LayoutFile,
  'docker-manifest': Ref.DockerManifest,
  'docker-manifest-list': Ref.DockerManifestList,
};

function isKind(kind: unknown): kind is DocumentKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(RULES, kind);
}

/**
 * Validate a document of `kind`. `input` is the parsed document, or its text
 * (a string) or bytes (a Uint8Array), in which case the raw JSON is checked
 * too: UTF-8, syntax, no duplicate object names, bounded nesting.
 * Never throws on bad input.
 */
export function validate(kind: DocumentKind, input: unknown, options?: ValidateOptions): ValidationResult {
  if (!isKind(kind)) {
    throw new TypeError(`expected a document kind (${DOCUMENT_KINDS.join(', ')}), found ${JSON.stringify(kind)}`);
  }
  let doc = input;
  let errors: Finding[] = [];
  let warnings: Finding[] = [];
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const read = readJsonText(input, options);
    errors = read.errors;
    warnings = read.warnings;
    if (!read.parsed) return { valid: false, errors, warnings };
    doc = read.value;
  }
  const structural = schemaValidators[kind];
  const shapeOk = structural(doc);
  const ctx: Context = { errors: [], warnings, shapeOk };
  RULES[kind](ctx, doc);
  if (!shapeOk) {
    // A rule that reports on the same value says more than the schema keyword: keep the rule's finding.
    const covered = new Set(ctx.errors.map((f) => f.path));
    for (const f of schemaFindings(structural.errors, SCHEMA_REF[kind])) if (!covered.has(f.path)) errors.push(f);
  }
  for (const f of ctx.errors) errors.push(f);
  return { valid: errors.length === 0, errors, warnings: ctx.warnings };
}

/** Validate, and return the document typed when valid. @throws InvalidDocumentError */
export function parseDocument<K extends DocumentKind>(kind: K, input: unknown, options?: ValidateOptions): DocumentTypes[K] {
  let doc = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const read = readJsonText(input, options);
    if (!read.parsed) throw new InvalidDocumentError(kind, read.errors, read.warnings);
    doc = read.value;
    const r = validateParsed(kind, doc, read.errors, read.warnings);
    if (!r.valid) throw new InvalidDocumentError(kind, r.errors, r.warnings);
    return doc as DocumentTypes[K];
  }
  const r = validate(kind, doc, options);
  if (!r.valid) throw new InvalidDocumentError(kind, r.errors, r.warnings);
  return doc as DocumentTypes[K];
}

/** `validate` of an already-read text, keeping the text findings. */
function validateParsed(kind: DocumentKind, doc: unknown, textErrors: Finding[], textWarnings: Finding[]): ValidationResult {
  const r = validate(kind, doc);
  const errors = [...textErrors, ...r.errors];
  return { valid: errors.length === 0, errors, warnings: [...textWarnings, ...r.warnings] };
}

/** True when `x` is a parsed document of `kind` with no MUST-level finding. */
export function isDocument<K extends DocumentKind>(kind: K, x: unknown): x is DocumentTypes[K] {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && validate(kind, x).valid;
}

// One named function per kind and verb: what most callers import.

/** Validate a content descriptor. */
export const validateDescriptor = (input: unknown, options?: ValidateOptions): ValidationResult => validate('descriptor', input, options);
/** Validate an OCI image manifest. */
export const validateImageManifest = (input: unknown, options?: ValidateOptions): ValidationResult => validate('image-manifest', input, options);
/** Validate an OCI image index. */
export const validateImageIndex = (input: unknown, options?: ValidateOptions): ValidationResult => validate('image-index', input, options);
/** Validate an OCI image configuration. */
export const validateImageConfig = (input: unknown, options?: ValidateOptions): ValidationResult => validate('image-config', input, options);
/** Validate the `oci-layout` file of an image layout. */
export const validateImageLayout = (input: unknown, options?: ValidateOptions): ValidationResult => validate('oci-layout', input, options);
/** Validate a Docker image manifest v2 schema 2. */
export const validateDockerManifest = (input: unknown, options?: ValidateOptions): ValidationResult => validate('docker-manifest', input, options);
/** Validate a Docker manifest list. */
export const validateDockerManifestList = (input: unknown, options?: ValidateOptions): ValidationResult => validate('docker-manifest-list', input, options);

/** Parse a content descriptor from text or bytes. @throws InvalidDocumentError */
export const parseDescriptor = (text: string | Uint8Array, options?: ValidateOptions): Descriptor => parseDocument('descriptor', text, options);
/** Parse an OCI image manifest from text or bytes. @throws InvalidDocumentError */
export const parseImageManifest = (text: string | Uint8Array, options?: ValidateOptions): ImageManifest => parseDocument('image-manifest', text, options);
/** Parse an OCI image index from text or bytes. @throws InvalidDocumentError */
export const parseImageIndex = (text: string | Uint8Array, options?: ValidateOptions): ImageIndex => parseDocument('image-index', text, options);
/** Parse an OCI image configuration from text or bytes. @throws InvalidDocumentError */
export const parseImageConfig = (text: string | Uint8Array, options?: ValidateOptions): ImageConfig => parseDocument('image-config', text, options);
/** Parse an `oci-layout` file from text or bytes. @throws InvalidDocumentError */
export const parseImageLayout = (text: string | Uint8Array, options?: ValidateOptions): ImageLayout => parseDocument('oci-layout', text, options);
/** Parse a Docker image manifest v2 schema 2 from text or bytes. @throws InvalidDocumentError */
export const parseDockerManifest = (text: string | Uint8Array, options?: ValidateOptions): DockerManifest => parseDocument('docker-manifest', text, options);
/** Parse a Docker manifest list from text or bytes. @throws InvalidDocumentError */
export const parseDockerManifestList = (text: string | Uint8Array, options?: ValidateOptions): DockerManifestList => parseDocument('docker-manifest-list', text, options);

/** True when `x` is a valid content descriptor. */
export const isDescriptor = (x: unknown): x is Descriptor => isDocument('descriptor', x);
/** True when `x` is a valid OCI image manifest. */
export const isImageManifest = (x: unknown): x is ImageManifest => isDocument('image-manifest', x);
/** True when `x` is a valid OCI image index. */
export const isImageIndex = (x: unknown): x is ImageIndex => isDocument('image-index', x);
/** True when `x` is a valid OCI image configuration. */
export const isImageConfig = (x: unknown): x is ImageConfig => isDocument('image-config', x);
/** True when `x` is a valid `oci-layout` file. */
export const isImageLayout = (x: unknown): x is ImageLayout => isDocument('oci-layout', x);
/** True when `x` is a valid Docker image manifest v2 schema 2. */
export const isDockerManifest = (x: unknown): x is DockerManifest => isDocument('docker-manifest', x);
/** True when `x` is a valid Docker manifest list. */
export const isDockerManifestList = (x: unknown): x is DockerManifestList => isDocument('docker-manifest-list', x);
