import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { detectDirectoryKind, detectDocumentKind, type DocumentKind, type ValidateKind } from './kinds.js';
import { validateDirectory, validateDocument } from './documents.js';
import { InputError, readDocumentFile, readStreamBounded } from './read-input.js';
import { Findings, Limits, readJsonText, tooLargeFinding, type FileError, type Level, type Limit } from '@ocikit/validation';
import type { ReportFinding, ValidateReport, ValidateReportResult } from '../types/validate-report.js';

export type LevelFilter = 'must' | 'should' | 'may';

export interface ValidateOptions {
  /** Validate every input as this kind instead of detecting it. */
  type?: ValidateKind;
  /** Keep findings at this level or stricter: `must` drops SHOULD and MAY findings. */
  level?: LevelFilter;
  /**
   * Largest document read (default MAX_CONFIG_BYTES, 64 MiB: the largest any
   * kind allows). Larger ones are invalid, not read. A number of bytes, or a
   * limit named as its messages should name it (the CLI's `--max-bytes`).
   */
  maxBytes?: number | Limit;
  /** Bundles: also check against this host (kernel capabilities, filesystem types). */
  hostSpecific?: boolean;
  /** Image layouts: also decompress every layer (diff_id, tar, unsafe paths). */
  deep?: boolean;
  /** Image layouts: told each verified blob. */
  onProgress?: (done: number, total: number) => void;
  /** Standard input, for the path `-`. */
  stdin?: Readable;
}

const KINDS_REF = 'https://github.com/opencontainers/image-spec/blob/v1.1.1/media-types.md';

function finding(code: string, message: string, ref = ''): ReportFinding {
  return { path: '', message, code, level: 'MUST', ref };
}

function invalid(pathName: string, type: string, f: ReportFinding): ValidateReportResult {
  return { path: pathName, type, valid: false, errors: [f], warnings: [] };
}

/**
 * Validate one document's bytes. The text is read once, strictly (UTF-8, byte
 * order mark, duplicate keys, depth: the same reader the spec packages use);
 * the parsed value serves both kind detection and validation.
 */
export async function validateBytes(pathName: string, bytes: Buffer, type: DocumentKind | undefined, level?: LevelFilter): Promise<ValidateReportResult> {
  const text = readJsonText(bytes);
  const f = new Findings(specLevel(level));
  f.merge(text);
  if (!text.parsed) return { path: pathName, type: type ?? 'unknown', ...f.result() };
  let kind = type;
  if (kind === undefined) {
    const d = detectDocumentKind(pathName === '-' ? undefined : path.basename(pathName), text.value);
    if ('ambiguous' in d) return invalid(pathName, 'unknown', finding('KIND_AMBIGUOUS', `could be ${d.ambiguous.join(' or ')}: name one with --type`, KINDS_REF));
    if ('unknown' in d) return invalid(pathName, 'unknown', finding('KIND_UNKNOWN', 'not a known OCI document: name its kind with --type', KINDS_REF));
    kind = d.kind as DocumentKind;
  }
  f.merge(await validateDocument(kind, text.value, f.level));
  return { path: pathName, type: kind, ...f.result() };
}

interface Job {
  path: string;
  kind?: ValidateKind;
}

/** Expand the named paths into documents (directories recursively), in a stable order. */
async function expand(paths: readonly string[], type: ValidateKind | undefined): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const p of paths) {
    if (p === '-') {
      // --type wins over detection everywhere, standard input included.
      if (type === 'bundle' || type === 'image-layout') throw new InputError('PATH_UNSUPPORTED', `-: --type ${type} names a directory or archive, not standard input`);
      jobs.push(type === undefined ? { path: p } : { path: p, kind: type });
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      throw new InputError('PATH_UNREADABLE', `${p}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
    if (!st.isDirectory()) {
      if (type === undefined && (await isLayoutArchive(p, st.size))) jobs.push({ path: p, kind: 'image-layout' });
      else jobs.push(type === undefined ? { path: p } : { path: p, kind: asFileKind(type, p) });
      continue;
    }
    await expandDirectory(p, type, jobs);
  }
  return jobs;
}

/**
 * An oci-archive named on the command line: a tar holding `oci-layout` or
 * `index.json` (image-layout.md). Only a file of whole 512-byte blocks can be
 * a complete tar, so JSON documents are almost never opened twice; the tar
 * code loads only for a candidate.
 */
async function isLayoutArchive(file: string, size: number): Promise<boolean> {
  if (size === 0 || size % 512 !== 0) return false;
  return (await import('@ocikit/bundle')).isOciArchive(file);
}

function asFileKind(type: ValidateKind, p: string): ValidateKind {
  // A file can be a document or an oci-archive (an image layout in a tar); a bundle is always a directory.
  if (type === 'bundle') throw new InputError('PATH_UNSUPPORTED', `${p}: --type bundle takes a directory`);
  return type;
}

async function expandDirectory(dir: string, type: ValidateKind | undefined, jobs: Job[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new InputError('PATH_UNREADABLE', `${dir}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  const names = new Set(entries.map((e) => e.name));
  const detected = type === 'image-layout' || type === 'bundle' ? { kind: type } : detectDirectoryKind(names);
  if ('kind' in detected) {
    jobs.push({ path: dir, kind: detected.kind });
    return;
  }
  if ('ambiguous' in detected) {
    throw new InputError('PATH_UNSUPPORTED', `${dir}: could be ${detected.ambiguous.join(' or ')}: name one with --type`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await expandDirectory(full, type, jobs);
    else if (e.isFile() && (e.name.endsWith('.json') || e.name === 'oci-layout')) {
      jobs.push(type === undefined ? { path: full } : { path: full, kind: asFileKind(type, full) });
    }
  }
}

/**
 * The spec packages' level for the CLI's: without `--level`, what they report
 * by default (SHOULD). Filtering is theirs (and @ocikit/validation's).
 */
function specLevel(level: LevelFilter | undefined): Level | undefined {
  return level === undefined ? undefined : (level.toUpperCase() as Level);
}

/** Read and validate one document file (not standard input). */
export async function validateDocumentFile(file: string, kind: DocumentKind | undefined, limit: Limit, level?: LevelFilter): Promise<ValidateReportResult> {
  const bytes = readDocumentFile(file, limit);
  return Buffer.isBuffer(bytes) ? validateBytes(file, bytes, kind, level) : tooLarge(file, kind, bytes);
}

function tooLarge(file: string, kind: DocumentKind | undefined, refusal: FileError): ValidateReportResult {
  return invalid(file, kind ?? 'unknown', tooLargeFinding('', refusal));
}

/** The limit a document is read within: MAX_CONFIG_BYTES, or the caller's. */
function documentLimit(maxBytes: number | Limit | undefined): Limit {
  if (maxBytes === undefined) return Limits.ConfigBytes;
  return typeof maxBytes === 'number' ? { name: 'maxBytes', value: maxBytes, unit: 'bytes' } : maxBytes;
}

/**
 * Validate every named path; results come back in input order. Documents are
 * validated one after another on this thread: reads are synchronous and
 * small, and worker threads were measured slower for 10,000 documents (their
 * start-up and module loading cost more than the second core saves). Throws
 * InputError only for paths that cannot be read at all.
 */
export async function validatePaths(paths: readonly string[], options: ValidateOptions = {}): Promise<ValidateReport> {
  const limit = documentLimit(options.maxBytes);
  const jobs = await expand(paths, options.type);
  const results: ValidateReportResult[] = [];
  for (const job of jobs) {
    let r: ValidateReportResult;
    if (job.kind === 'bundle' || job.kind === 'image-layout') r = await validateDirectory(job.path, job.kind, { ...options, level: specLevel(options.level) });
    else if (job.path === '-') {
      const bytes = await readStreamBounded(options.stdin ?? process.stdin, limit);
      r = Buffer.isBuffer(bytes) ? await validateBytes('-', bytes, job.kind, options.level) : tooLarge('-', job.kind, bytes);
    } else r = await validateDocumentFile(job.path, job.kind, limit, options.level);
    results.push(r);
  }
  return { results };
}
