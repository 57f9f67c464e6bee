/**
 * The parts of manifests, indexes and configs this package reads, checked
 * for the shape it relies on. Full validation against the spec is
 * @ocikit/image-spec's job; these checks only make sure a hostile document
 * cannot make unpack misbehave (wrong types, missing arrays, bad sizes).
 */
import { Annotation as SpecAnnotation, MediaType, type Descriptor, type Platform } from '@ocikit/image-spec';
import { isValidDigest } from '@ocikit/digest';
import { BundleError, BundleErrorCode, BundleSpecRef, q } from '../errors.js';

export const DocMediaType = {
  ImageIndex: MediaType.ImageIndex,
  ImageManifest: MediaType.ImageManifest,
  ImageConfig: MediaType.ImageConfig,
  DockerManifestList: MediaType.DockerManifestList,
  DockerManifest: MediaType.DockerManifest,
  DockerConfig: MediaType.DockerImageConfig,
} as const;

export const INDEX_TYPES: readonly string[] = [DocMediaType.ImageIndex, DocMediaType.DockerManifestList];
export const MANIFEST_TYPES: readonly string[] = [DocMediaType.ImageManifest, DocMediaType.DockerManifest];
export const CONFIG_TYPES: readonly string[] = [DocMediaType.ImageConfig, DocMediaType.DockerConfig];

export const Annotation = {
  RefName: SpecAnnotation.RefName,
} as const;

export interface IndexDoc {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: { [key: string]: string };
  [key: string]: unknown;
}

export interface ManifestDoc {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: { [key: string]: string };
}

/** The image config fields unpack uses (image-spec config.md). */
export interface ConfigDoc {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: {
    User?: string;
    ExposedPorts?: { [port: string]: object };
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: { [path: string]: object };
    WorkingDir?: string;
    Labels?: { [key: string]: string };
    StopSignal?: string;
  };
  rootfs: { type: string; diff_ids: string[] };
}

function bad(what: string, why: string, ref: string = BundleSpecRef.Descriptor): BundleError {
  return new BundleError(BundleErrorCode.InvalidDocument, `${what}: ${why}`, { ref });
}

const isObject = (v: unknown): v is { [k: string]: unknown } => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Largest blob size we accept in a descriptor: beyond this it is not a real blob. */
export const MAX_DESCRIPTOR_SIZE = 2 ** 50;

export function checkDescriptor(d: unknown, what: string): Descriptor {
  if (!isObject(d)) throw bad(what, 'descriptor is not an object');
  if (typeof d['mediaType'] !== 'string') throw bad(what, 'descriptor has no mediaType');
  if (typeof d['digest'] !== 'string' || !isValidDigest(d['digest'])) throw bad(what, `descriptor digest ${q(String(d['digest']))} is not a valid digest`);
  const size = d['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > MAX_DESCRIPTOR_SIZE) {
    throw new BundleError(BundleErrorCode.InvalidDescriptor, `${what}: descriptor size ${JSON.stringify(size)} is not a plausible byte count`, { ref: BundleSpecRef.Descriptor });
  }
  if (d['annotations'] !== undefined && (!isObject(d['annotations']) || !Object.values(d['annotations']).every((v) => typeof v === 'string'))) {
    throw bad(what, 'descriptor annotations are not a string map');
  }
  if (d['platform'] !== undefined) checkPlatform(d['platform'], what);
  return d as unknown as Descriptor;
}

function checkPlatform(p: unknown, what: string): Platform {
  if (!isObject(p) || typeof p['os'] !== 'string' || typeof p['architecture'] !== 'string') throw bad(what, 'platform needs string os and architecture');
  if (p['variant'] !== undefined && typeof p['variant'] !== 'string') throw bad(what, 'platform variant is not a string');
  return p as unknown as Platform;
}

export function checkIndex(doc: unknown, what: string): IndexDoc {
  if (!isObject(doc)) throw bad(what, 'not a JSON object');
  if (doc['schemaVersion'] !== 2) throw bad(what, `schemaVersion is ${JSON.stringify(doc['schemaVersion'])}, expected 2`);
  if (!Array.isArray(doc['manifests'])) throw bad(what, 'manifests is not an array');
  doc['manifests'].forEach((d, i) => checkDescriptor(d, `${what} manifests[${i}]`));
  return doc as unknown as IndexDoc;
}

export function checkManifest(doc: unknown, what: string): ManifestDoc {
  if (!isObject(doc)) throw bad(what, 'not a JSON object');
  if (doc['schemaVersion'] !== 2) throw bad(what, `schemaVersion is ${JSON.stringify(doc['schemaVersion'])}, expected 2`);
  checkDescriptor(doc['config'], `${what} config`);
  if (!Array.isArray(doc['layers'])) throw bad(what, 'layers is not an array');
  doc['layers'].forEach((d, i) => checkDescriptor(d, `${what} layers[${i}]`));
  if (doc['subject'] !== undefined) checkDescriptor(doc['subject'], `${what} subject`);
  return doc as unknown as ManifestDoc;
}

export function checkConfig(doc: unknown, what: string): ConfigDoc {
  if (!isObject(doc)) throw bad(what, 'not a JSON object');
  if (typeof doc['os'] !== 'string' || typeof doc['architecture'] !== 'string') throw bad(what, 'os and architecture must be strings');
  const rootfs = doc['rootfs'];
  if (!isObject(rootfs) || rootfs['type'] !== 'layers' || !isStringArray(rootfs['diff_ids'])) {
    throw bad(what, 'rootfs must be {"type":"layers","diff_ids":[...]}', BundleSpecRef.DiffIds);
  }
  const c = doc['config'];
  if (c !== undefined && c !== null) {
    if (!isObject(c)) throw bad(what, 'config is not an object');
    for (const k of ['Env', 'Entrypoint', 'Cmd'] as const) {
      if (c[k] !== undefined && c[k] !== null && !isStringArray(c[k])) throw bad(what, `config.${k} is not an array of strings`);
    }
    for (const k of ['User', 'WorkingDir', 'StopSignal'] as const) {
      if (c[k] !== undefined && typeof c[k] !== 'string') throw bad(what, `config.${k} is not a string`);
    }
    for (const k of ['Labels', 'ExposedPorts', 'Volumes'] as const) {
      if (c[k] !== undefined && c[k] !== null && !isObject(c[k])) throw bad(what, `config.${k} is not an object`);
    }
    if (isObject(c['Labels']) && !Object.values(c['Labels']).every((v) => typeof v === 'string')) throw bad(what, 'config.Labels values must be strings');
  }
  if (doc['os.features'] !== undefined && !isStringArray(doc['os.features'])) throw bad(what, 'os.features is not an array of strings');
  return doc as unknown as ConfigDoc;
}
