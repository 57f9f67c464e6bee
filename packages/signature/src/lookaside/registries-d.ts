/**
 * registries.d: where containers/image looks for the lookaside signatures of
 * an image (containers-registries.d.5.md; the code that decides is
 * containers/image `docker/registries_d.go`, which this follows where the
 * man page is silent or says otherwise).
 *
 * - The directory is the one given (`--registries.d DIR`), else
 *   `$HOME/.config/containers/registries.d` when it exists, else
 *   `/etc/containers/registries.d`. The two are never merged: the user's
 *   directory, when present, replaces the system's. A missing directory is
 *   an empty configuration.
 * - Every file whose name ends in `.yaml` is read (`.yml` is not), and all
 *   are merged; `default-docker` may appear in one file only, and each key of
 *   `docker` in one file only. Anything else is an error naming both files.
 * - For an image, the scopes are tried from the most specific: the
 *   reference itself (`host/repo:tag` or `host/repo@digest`), the
 *   repository, each parent namespace, the host (with its port), then
 *   wildcard domains (`*.example.com`, `*.com`, the port dropped), then
 *   `default-docker`. The first scope that names a URL for the purpose wins;
 *   one that names none (only `lookaside-staging` when reading, say) is
 *   passed over, as containers/image does, although the man page says a more
 *   specific scope hides the general ones entirely.
 * - Reading uses `lookaside` (older spelling `sigstore`); writing uses
 *   `lookaside-staging` (`sigstore-staging`), else the reading URL.
 * - With nothing configured, containers/image's built-in default:
 *   `/var/lib/containers/sigstore` for root, else
 *   `$HOME/.local/share/containers/sigstore`.
 */
import { access, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidReferenceError, parseNormalizedReference } from '@ocikit/image-spec';
import { FileError, readRegularFile, type Limit } from '@ocikit/validation';
import { parseDocument } from 'yaml';
import { REGISTRIES_D_SPEC, SignatureError, SignatureErrorCode } from '../errors.js';

/** The system-wide registries.d directory (containers/image `builtinRegistriesDirPath`). */
export const SYSTEM_REGISTRIES_D = '/etc/containers/registries.d';

/** The per-user registries.d directory, relative to the home directory (containers/image `userRegistriesDir`). */
export const USER_REGISTRIES_D = '.config/containers/registries.d';

/** The built-in lookaside directory for root (containers/image `defaultDockerDir`). */
export const DEFAULT_ROOT_LOOKASIDE_DIR = '/var/lib/containers/sigstore';

/** The built-in lookaside directory for other users, relative to the home directory (containers/image `defaultUserDockerDir`). */
export const DEFAULT_USER_LOOKASIDE_DIR = '.local/share/containers/sigstore';

/** The largest registries.d file read; real ones are a few lines. */
export const MAX_REGISTRIES_D_FILE_BYTES: Limit = { name: 'MAX_REGISTRIES_D_FILE_BYTES', value: 1 << 20, unit: 'bytes' };

/** YAML aliases expanded while reading one file: a guard against "billion laughs", far above any real file's need. */
const MAX_ALIAS_COUNT = 100;

/** One configuration section: a `default-docker` value or one scope's value under `docker`. Empty strings are absent, as in containers/image. */
export interface LookasideSection {
  /** `lookaside`: the URL signatures are read from, and written to when no staging URL is set. */
  lookaside?: string;
  /** `lookaside-staging`: the URL signatures are written to. */
  lookasideStaging?: string;
  /** `sigstore`: the older spelling of `lookaside`, used when `lookaside` is absent. */
  sigstore?: string;
  /** `sigstore-staging`: the older spelling of `lookaside-staging`, used when `lookaside-staging` is absent. */
  sigstoreStaging?: string;
  /** `use-sigstore-attachments`: whether sigstore attachments are read and written; absent defers to the next scope. */
  useSigstoreAttachments?: boolean;
}

/** A section and the file it came from. */
export interface ConfiguredSection {
  section: LookasideSection;
  file: string;
}

/** A registries.d directory, its files merged. */
export interface RegistriesD {
  /** The directory read (it may not exist). */
  dir: string;
  /** The files read, in the order they were merged (sorted by name). */
  files: string[];
  defaultDocker?: ConfiguredSection;
  /** `docker` scopes, keyed as written. */
  docker: Map<string, ConfiguredSection>;
}

/** What one file holds. */
export interface RegistriesDFile {
  defaultDocker?: LookasideSection;
  docker: Map<string, LookasideSection>;
}

export interface RegistriesDirOptions {
  /** The directory to use (`--registries.d DIR`); when set, nothing else is looked at. */
  registriesDir?: string;
  /** The home directory for the per-user paths (default `os.homedir()`, which reads `$HOME` first). */
  home?: string;
}

/**
 * The registries.d directory containers/image would use: `registriesDir`
 * when given, else the per-user directory when it exists, else the system one.
 */
export async function registriesDirPath(options: RegistriesDirOptions = {}): Promise<string> {
  if (options.registriesDir !== undefined && options.registriesDir !== '') return options.registriesDir;
  const user = path.join(options.home ?? os.homedir(), USER_REGISTRIES_D);
  try {
    await access(user);
    return user;
  } catch {
    return SYSTEM_REGISTRIES_D;
  }
}

function configError(message: string, cause?: unknown): SignatureError {
  return new SignatureError(SignatureErrorCode.ConfigInvalid, message, { ref: REGISTRIES_D_SPEC, ...(cause !== undefined && { cause }) });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

const URL_KEYS = [
  ['lookaside', 'lookaside'],
  ['lookaside-staging', 'lookasideStaging'],
  ['sigstore', 'sigstore'],
  ['sigstore-staging', 'sigstoreStaging'],
] as const;

function parseSection(value: unknown, file: string, where: string): LookasideSection {
  // An empty section (`docker: {host:}`) is a section with nothing set, as Go's zero value.
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw configError(`${file}: ${where} must be a mapping, found ${describe(value)}`);
  const out: LookasideSection = {};
  for (const [yamlKey, field] of URL_KEYS) {
    const v = value[yamlKey];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw configError(`${file}: ${where}.${yamlKey} must be a URL string, found ${describe(v)}`);
    if (v !== '') out[field] = v;
  }
  const attach = value['use-sigstore-attachments'];
  if (attach !== undefined && attach !== null) {
    if (typeof attach !== 'boolean') throw configError(`${file}: ${where}.use-sigstore-attachments must be true or false, found ${describe(attach)}`);
    out.useSigstoreAttachments = attach;
  }
  // Other keys are ignored, as containers/image ignores them (a newer version may define more).
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a sequence';
  if (typeof v === 'object') return 'a mapping of another kind';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Parse the text of one registries.d file. `file` names it in messages.
 * An empty file is an empty configuration; unknown keys are ignored.
 * @throws SignatureError ConfigInvalid: not YAML (a duplicate key included), not a mapping, a value of the wrong type
 */
export function parseRegistriesDFile(text: string | Uint8Array, file: string): RegistriesDFile {
  const source = typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: false }).decode(text);
  // merge: YAML 1.1 merge keys (`<<`), which Go's yaml.v3 resolves too; uniqueKeys: a key twice in one mapping is an error there as well.
  const doc = parseDocument(source, { uniqueKeys: true, merge: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first !== undefined) throw configError(`${file} is not valid YAML: ${oneLine(first.message)}`, first);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw configError(`${file} is not valid YAML: ${oneLine((err as Error).message)}`, err);
  }
  const out: RegistriesDFile = { docker: new Map() };
  if (value === null || value === undefined) return out;
  if (!isPlainObject(value)) throw configError(`${file}: expected a mapping with "default-docker" and "docker" keys, found ${describe(value)}`);
  if (value['default-docker'] !== undefined && value['default-docker'] !== null) {
    out.defaultDocker = parseSection(value['default-docker'], file, 'default-docker');
  }
  const docker = value['docker'];
  if (docker !== undefined && docker !== null) {
    if (!isPlainObject(docker)) throw configError(`${file}: "docker" must be a mapping of scopes, found ${describe(docker)}`);
    for (const [scope, section] of Object.entries(docker)) {
      out.docker.set(scope, parseSection(section, file, `docker[${JSON.stringify(scope)}]`));
    }
  }
  return out;
}

/** The first line of a yaml message, without the colon that introduces its source excerpt. */
function oneLine(s: string): string {
  return s.split('\n')[0]!.trim().replace(/:$/, '');
}

/**
 * Read and merge every `*.yaml` file of `dir` (sorted by name, so a conflict
 * is always reported the same way). A missing directory is an empty
 * configuration.
 * @throws SignatureError ConfigInvalid: a file unreadable, too large or malformed; `default-docker` or a `docker` scope in two files; `dir` not a directory
 */
export async function readRegistriesD(dir: string): Promise<RegistriesD> {
  const merged: RegistriesD = { dir, files: [], docker: new Map() };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return merged;
    throw configError(`cannot read registries.d directory ${JSON.stringify(dir)}: ${(err as Error).message}`, err);
  }
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    const file = path.join(dir, name);
    let bytes: Buffer;
    try {
      bytes = readRegularFile(file, MAX_REGISTRIES_D_FILE_BYTES);
    } catch (err) {
      // Removed between the listing and the read: containers/image skips it too.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      const why = err instanceof FileError ? err.message : `cannot read ${JSON.stringify(file)}: ${(err as Error).message}`;
      throw configError(why, err);
    }
    const parsed = parseRegistriesDFile(bytes, file);
    merged.files.push(file);
    if (parsed.defaultDocker !== undefined) {
      if (merged.defaultDocker !== undefined) {
        throw configError(`"default-docker" is defined both in ${JSON.stringify(merged.defaultDocker.file)} and ${JSON.stringify(file)}; it may be defined in one file only`);
      }
      merged.defaultDocker = { section: parsed.defaultDocker, file };
    }
    for (const [scope, section] of parsed.docker) {
      const before = merged.docker.get(scope);
      if (before !== undefined) {
        throw configError(`"docker" scope ${JSON.stringify(scope)} is defined both in ${JSON.stringify(before.file)} and ${JSON.stringify(file)}; each scope may be defined in one file only`);
      }
      merged.docker.set(scope, { section, file });
    }
  }
  return merged;
}

/** Read the registries.d directory containers/image would use (see {@link registriesDirPath}). */
export async function loadRegistriesD(options: RegistriesDirOptions = {}): Promise<RegistriesD> {
  return readRegistriesD(await registriesDirPath(options));
}

/** An image reference as lookaside storage sees it. */
export interface LookasideReference {
  /** `host[:port]`, `docker.io` for familiar names. */
  domain: string;
  /** The repository path without the host: what the storage path is made of (`library/busybox`). */
  path: string;
  /** `domain/path`. */
  name: string;
  /** The most specific scope: `name:tag` or `name@digest` (containers/image `PolicyConfigurationIdentity`). */
  identity: string;
  /** The broader scopes, most specific first (containers/image `PolicyConfigurationNamespaces`). */
  namespaces: string[];
  tag?: string;
  digest?: string;
}

/**
 * Parse a reference as the docker transport does: familiar names expanded
 * (`busybox` is `docker.io/library/busybox:latest`), `latest` when neither
 * tag nor digest is given, and a tag together with a digest refused
 * (containers/image `docker.newReference`).
 * @throws SignatureError InvalidArgument
 */
export function parseLookasideReference(reference: string): LookasideReference {
  let ref;
  try {
    ref = parseNormalizedReference(reference);
  } catch (err) {
    const reason = err instanceof InvalidReferenceError ? err.message : String(err);
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `${JSON.stringify(reference)} is not an image reference: ${reason}`, { cause: err });
  }
  if (ref.tag !== undefined && ref.digest !== undefined) {
    throw new SignatureError(SignatureErrorCode.InvalidArgument, `${JSON.stringify(reference)} names both a tag and a digest; name one (as the docker transport requires)`);
  }
  const domain = ref.domain ?? 'docker.io';
  const name = `${domain}/${ref.path}`;
  const identity = ref.digest !== undefined ? `${name}@${ref.digest}` : `${name}:${ref.tag!}`;
  return {
    domain,
    path: ref.path,
    name,
    identity,
    namespaces: namespacesOf(name),
    ...(ref.tag !== undefined && { tag: ref.tag }),
    ...(ref.digest !== undefined && { digest: ref.digest }),
  };
}

/** containers/image `policyconfiguration.DockerReferenceNamespaces`: the repository, its parents, the host, then wildcard domains. */
function namespacesOf(name: string): string[] {
  const out: string[] = [];
  let n = name;
  for (;;) {
    out.push(n);
    const slash = n.lastIndexOf('/');
    if (slash === -1) break;
    n = n.slice(0, slash);
  }
  // The host: drop the port, then `*.rest` for each dot (example.com:5000 gives *.com).
  const colon = n.indexOf(':');
  if (colon !== -1) n = n.slice(0, colon);
  for (let dot = n.indexOf('.'); dot !== -1; dot = n.indexOf('.')) {
    n = n.slice(dot + 1);
    out.push(`*.${n}`);
  }
  return out;
}

/** Where a lookaside URL came from. */
export const LookasideSource = {
  /** A scope under `docker`. */
  Docker: 'docker',
  /** The `default-docker` section. */
  DefaultDocker: 'default-docker',
  /** Nothing configured: containers/image's built-in directory. */
  BuiltIn: 'built-in',
} as const;
export type LookasideSource = (typeof LookasideSource)[keyof typeof LookasideSource];

/** The storage an image's signatures are read from or written to, before the repository path is added. */
export interface LookasideBase {
  /** The URL as configured (a `file://` URL for the built-in default). */
  url: string;
  source: LookasideSource;
  /** The `docker` scope that matched (source `docker`). */
  scope?: string;
  /** The key the URL was read from (`lookaside`, `lookaside-staging`, `sigstore`, `sigstore-staging`); absent for the built-in default. */
  key?: 'lookaside' | 'lookaside-staging' | 'sigstore' | 'sigstore-staging';
  /** The file that configured it. */
  file?: string;
}

export interface ResolveLookasideOptions {
  /** For writing (the staging URL when one is set), not reading. Default false. */
  write?: boolean;
  /** The home directory for the built-in default of a non-root user (default `os.homedir()`). */
  home?: string;
  /** The effective user ID that picks the built-in default (default `process.geteuid()`). */
  euid?: number;
}

/** containers/image `registryNamespace.signatureTopLevel`. */
function sectionUrl(section: LookasideSection, write: boolean): Pick<LookasideBase, 'url' | 'key'> | undefined {
  if (write) {
    if (section.lookasideStaging !== undefined) return { url: section.lookasideStaging, key: 'lookaside-staging' };
    if (section.sigstoreStaging !== undefined) return { url: section.sigstoreStaging, key: 'sigstore-staging' };
  }
  if (section.lookaside !== undefined) return { url: section.lookaside, key: 'lookaside' };
  if (section.sigstore !== undefined) return { url: section.sigstore, key: 'sigstore' };
  return undefined;
}

/** The sections that apply to `ref`, most specific first (the `docker` scopes, then `default-docker`). */
function applicableSections(config: RegistriesD, ref: LookasideReference): { scope?: string; configured: ConfiguredSection }[] {
  const out: { scope?: string; configured: ConfiguredSection }[] = [];
  for (const scope of [ref.identity, ...ref.namespaces]) {
    const configured = config.docker.get(scope);
    if (configured !== undefined) out.push({ scope, configured });
  }
  if (config.defaultDocker !== undefined) out.push({ configured: config.defaultDocker });
  return out;
}

/**
 * The lookaside storage configured for `reference`, for reading or (with
 * `write`) for writing; containers/image's built-in directory when nothing
 * is configured.
 * @throws SignatureError InvalidArgument (an invalid reference)
 */
export function resolveLookasideBase(config: RegistriesD, reference: string | LookasideReference, options: ResolveLookasideOptions = {}): LookasideBase {
  const ref = typeof reference === 'string' ? parseLookasideReference(reference) : reference;
  const write = options.write ?? false;
  for (const { scope, configured } of applicableSections(config, ref)) {
    const found = sectionUrl(configured.section, write);
    if (found === undefined) continue;
    return scope !== undefined
      ? { ...found, source: LookasideSource.Docker, scope, file: configured.file }
      : { ...found, source: LookasideSource.DefaultDocker, file: configured.file };
  }
  const euid = options.euid ?? process.geteuid?.() ?? -1;
  const dir = euid === 0 ? DEFAULT_ROOT_LOOKASIDE_DIR : path.join(options.home ?? os.homedir(), DEFAULT_USER_LOOKASIDE_DIR);
  return { url: pathToFileURL(dir).href, source: LookasideSource.BuiltIn };
}

/**
 * Whether sigstore attachments are to be read and written for `reference`
 * (`use-sigstore-attachments`, from the most specific scope that sets it;
 * default false).
 * @throws SignatureError InvalidArgument (an invalid reference)
 */
export function useSigstoreAttachments(config: RegistriesD, reference: string | LookasideReference): boolean {
  const ref = typeof reference === 'string' ? parseLookasideReference(reference) : reference;
  for (const { configured } of applicableSections(config, ref)) {
    if (configured.section.useSigstoreAttachments !== undefined) return configured.section.useSigstoreAttachments;
  }
  return false;
}
