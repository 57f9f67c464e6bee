/**
 * Validation of image-spec documents: structure from the generated schema
 * (ajv, compiled ahead of time), meaning from code (`rules/`), and, when
 * given text or bytes, the raw JSON (UTF-8, duplicate names, depth).
 *
 * Three verbs per kind: `validate` returns findings and never throws,
 * `parse` throws {@link InvalidDocumentError}, `is` is a type guard.
 */
import { readJsonText, schemaFindings, type JsonTextOptions, type LevelOptions, type ValidationResult } from '@ocikit/validation';
import { schemaValidators } from './generated/kinds.js';
import { DOCUMENT_KINDS, isDocumentKind, type DocumentKind } from './kinds.js';
import { InvalidDocumentError } from './errors.js';
import { Ref } from './spec-refs.js';
import { Context } from './rules/common.js';
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

/**
 * `level` (the least strict level of the warnings reported, `SHOULD` by
 * default), and the JSON text reader's `maxDepth` and `duplicateKeys`, which
 * apply when the input is text or bytes.
 */
export interface ValidateOptions extends JsonTextOptions, LevelOptions {}

const NO_OPTIONS: ValidateOptions = Object.freeze({});

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

/**
 * Validate a document of `kind`. `input` is the parsed document, or its text
 * (a string) or bytes (a Uint8Array), in which case the raw JSON is checked
 * too: UTF-8, syntax, no duplicate object names, bounded nesting.
 * Never throws on bad input.
 */
export function validate(kind: DocumentKind, input: unknown, options: ValidateOptions = NO_OPTIONS): ValidationResult {
  return readAndValidate(kind, input, options).result;
}

/** Read text or bytes (if given), then validate the value. */
function readAndValidate(kind: DocumentKind, input: unknown, options: ValidateOptions): { doc: unknown; result: ValidationResult } {
  if (!isDocumentKind(kind)) {
    throw new TypeError(`expected a document kind (${DOCUMENT_KINDS.join(', ')}), found ${JSON.stringify(kind)}`);
  }
  const ctx = new Context(options.level);
  let doc = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const read = readJsonText(input, options);
    // The reader's findings keep their side: a duplicate name is an error although RFC 8259 says SHOULD.
    ctx.merge(read);
    if (!read.parsed) return { doc: undefined, result: ctx.result() };
    doc = read.value;
  }
  const structural = schemaValidators[kind];
  ctx.shapeOk = structural(doc);
  const ruleErrorsFrom = ctx.errors.length;
  RULES[kind](ctx, doc);
  if (!ctx.shapeOk) {
    // A rule that reports on the same value says more than the schema keyword: keep the rule's finding.
    const covered = new Set(ctx.errors.slice(ruleErrorsFrom).map((f) => f.path));
    const structure = schemaFindings(structural.errors, SCHEMA_REF[kind]).filter((f) => !covered.has(f.path));
    ctx.errors.splice(ruleErrorsFrom, 0, ...structure);
  }
  return { doc, result: ctx.result() };
}

/** Validate, and return the document typed when valid. @throws InvalidDocumentError */
export function parse<K extends DocumentKind>(kind: K, input: unknown, options: ValidateOptions = NO_OPTIONS): DocumentTypes[K] {
  const { doc, result } = readAndValidate(kind, input, options);
  if (!result.valid) throw new InvalidDocumentError(kind, result.errors, result.warnings);
  return doc as DocumentTypes[K];
}

/** True when `x` is a parsed document of `kind` with no MUST-level finding. */
export function is<K extends DocumentKind>(kind: K, x: unknown, options: Omit<ValidateOptions, 'level'> = NO_OPTIONS): x is DocumentTypes[K] {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && validate(kind, x, { ...options, level: 'MUST' }).valid;
}

/** @deprecated Use {@link parse}, the verb both spec packages share. */
export const parseDocument = parse;
/** @deprecated Use {@link is}, the verb both spec packages share. */
export const isDocument = is;

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
export const parseDescriptor = (text: string | Uint8Array, options?: ValidateOptions): Descriptor => parse('descriptor', text, options);
/** Parse an OCI image manifest from text or bytes. @throws InvalidDocumentError */
export const parseImageManifest = (text: string | Uint8Array, options?: ValidateOptions): ImageManifest => parse('image-manifest', text, options);
/** Parse an OCI image index from text or bytes. @throws InvalidDocumentError */
export const parseImageIndex = (text: string | Uint8Array, options?: ValidateOptions): ImageIndex => parse('image-index', text, options);
/** Parse an OCI image configuration from text or bytes. @throws InvalidDocumentError */
export const parseImageConfig = (text: string | Uint8Array, options?: ValidateOptions): ImageConfig => parse('image-config', text, options);
/** Parse an `oci-layout` file from text or bytes. @throws InvalidDocumentError */
export const parseImageLayout = (text: string | Uint8Array, options?: ValidateOptions): ImageLayout => parse('oci-layout', text, options);
/** Parse a Docker image manifest v2 schema 2 from text or bytes. @throws InvalidDocumentError */
export const parseDockerManifest = (text: string | Uint8Array, options?: ValidateOptions): DockerManifest => parse('docker-manifest', text, options);
/** Parse a Docker manifest list from text or bytes. @throws InvalidDocumentError */
export const parseDockerManifestList = (text: string | Uint8Array, options?: ValidateOptions): DockerManifestList => parse('docker-manifest-list', text, options);

/** True when `x` is a valid content descriptor. */
export const isDescriptor = (x: unknown): x is Descriptor => is('descriptor', x);
/** True when `x` is a valid OCI image manifest. */
export const isImageManifest = (x: unknown): x is ImageManifest => is('image-manifest', x);
/** True when `x` is a valid OCI image index. */
export const isImageIndex = (x: unknown): x is ImageIndex => is('image-index', x);
/** True when `x` is a valid OCI image configuration. */
export const isImageConfig = (x: unknown): x is ImageConfig => is('image-config', x);
/** True when `x` is a valid `oci-layout` file. */
export const isImageLayout = (x: unknown): x is ImageLayout => is('oci-layout', x);
/** True when `x` is a valid Docker image manifest v2 schema 2. */
export const isDockerManifest = (x: unknown): x is DockerManifest => is('docker-manifest', x);
/** True when `x` is a valid Docker manifest list. */
export const isDockerManifestList = (x: unknown): x is DockerManifestList => is('docker-manifest-list', x);
