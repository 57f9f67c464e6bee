/**
 * The meaning of each document kind: what the prose of image-spec (and of
 * Docker's schema 2) requires beyond the shape the schema checks.
 */
import { MediaType, DOCKER_LAYER_MEDIA_TYPES } from '../media-types.js';
import { Ref } from '../spec-refs.js';
import {
  checkAnnotations,
  checkDescriptor,
  checkDigest,
  checkLabels,
  checkMediaType,
  checkPlatformValues,
  child,
  isDateTime,
  isObject,
  show,
  type Context,
} from './common.js';

/** How a manifest-like document names itself, and the finding codes of its kind. */
interface Header {
  /** The `mediaType` it MUST carry when it carries one. */
  mediaType: string;
  schemaVersionCode: string;
  mismatchCode: string;
  /** When a missing `mediaType` breaks a SHOULD: the code of that warning. */
  missingCode?: string;
}

/** `schemaVersion` 2 and the document's own `mediaType`: the header manifests, indexes and their Docker forms share. */
function checkHeader(ctx: Context, doc: Record<string, unknown>, header: Header, ref: string): void {
  const version = doc['schemaVersion'];
  if (typeof version === 'number' && version !== 2) ctx.must(header.schemaVersionCode, '/schemaVersion', `expected schemaVersion 2, found ${version}`, ref);
  const mediaType = doc['mediaType'];
  if (mediaType === undefined && header.missingCode !== undefined) {
    ctx.should(header.missingCode, '/mediaType', `expected mediaType ${header.mediaType} (it SHOULD be used), found none`, ref);
  } else if (typeof mediaType === 'string' && mediaType !== header.mediaType) {
    ctx.must(header.mismatchCode, '/mediaType', `expected ${header.mediaType}, found ${show(mediaType)}`, ref);
  }
}

/** manifest.md "Image Manifest Property Descriptions". */
export function checkImageManifest(ctx: Context, m: unknown): void {
  if (!isObject(m)) return;
  const ref = Ref.ManifestProperties;
  checkHeader(ctx, m, { mediaType: MediaType.ImageManifest, schemaVersionCode: 'MANIFEST_SCHEMA_VERSION', mismatchCode: 'MANIFEST_MEDIA_TYPE_MISMATCH', missingCode: 'MANIFEST_MEDIA_TYPE_MISSING' }, ref);
  const artifactType = m['artifactType'];
  if (artifactType !== undefined) checkMediaType(ctx, artifactType, '', 'artifactType', 'MANIFEST_ARTIFACT_TYPE_INVALID', ref);
  const config = m['config'];
  checkDescriptor(ctx, config, '/config');
  if (isObject(config) && config['mediaType'] === MediaType.EmptyJSON && artifactType === undefined) {
    ctx.must('MANIFEST_ARTIFACT_TYPE_REQUIRED', '/artifactType', `expected artifactType to be set because config.mediaType is ${MediaType.EmptyJSON}, found none`, ref);
  }
  const layers = m['layers'];
  if (Array.isArray(layers)) {
    if (layers.length === 0) {
      ctx.should('MANIFEST_LAYERS_EMPTY', '/layers', 'expected at least one layer (for portability, layers SHOULD have one entry; use the empty descriptor), found none', ref);
    }
    for (let i = 0; i < layers.length; i++) checkDescriptor(ctx, layers[i], child('/layers', i));
  }
  if (m['subject'] !== undefined) checkDescriptor(ctx, m['subject'], '/subject');
  if (m['annotations'] !== undefined) checkAnnotations(ctx, m['annotations'], '/annotations');
}

/** image-index.md "Image Index Property Descriptions". */
export function checkImageIndex(ctx: Context, x: unknown): void {
  if (!isObject(x)) return;
  const ref = Ref.IndexProperties;
  checkHeader(ctx, x, { mediaType: MediaType.ImageIndex, schemaVersionCode: 'INDEX_SCHEMA_VERSION', mismatchCode: 'INDEX_MEDIA_TYPE_MISMATCH', missingCode: 'INDEX_MEDIA_TYPE_MISSING' }, ref);
  if (x['artifactType'] !== undefined) checkMediaType(ctx, x['artifactType'], '', 'artifactType', 'INDEX_ARTIFACT_TYPE_INVALID', ref);
  const manifests = x['manifests'];
  if (Array.isArray(manifests)) {
    for (let i = 0; i < manifests.length; i++) checkDescriptor(ctx, manifests[i], child('/manifests', i));
  }
  if (x['subject'] !== undefined) checkDescriptor(ctx, x['subject'], '/subject');
  if (x['annotations'] !== undefined) checkAnnotations(ctx, x['annotations'], '/annotations');
}

const ENV_RE = /^[^=]+=/s;
const PORT_RE = /^(\d{1,5})(?:\/([A-Za-z]+))?$/;
const SIGNAL_RE = /^(?:SIG[A-Z0-9]+(?:[+-]\d+)?|\d+)$/;

/** config.md "Properties". */
export function checkImageConfig(ctx: Context, c: unknown): void {
  if (!isObject(c)) return;
  const ref = Ref.ConfigProperties;
  checkPlatformValues(ctx, c, '', ref);
  const created = c['created'];
  if (typeof created === 'string' && !isDateTime(created)) {
    ctx.must('CONFIG_CREATED_INVALID', '/created', `expected an RFC 3339 date-time, found ${show(created)}`, ref);
  }
  const config = c['config'];
  if (isObject(config)) checkContainerConfig(ctx, config);
  const rootfs = c['rootfs'];
  let layerCount: number | undefined;
  if (isObject(rootfs)) {
    const type = rootfs['type'];
    if (typeof type === 'string' && type !== 'layers') {
      ctx.must('CONFIG_ROOTFS_TYPE', '/rootfs/type', `expected rootfs.type "layers", found ${show(type)}`, ref);
    }
    const diffIds = rootfs['diff_ids'];
    if (Array.isArray(diffIds)) {
      layerCount = diffIds.length;
      for (let i = 0; i < diffIds.length; i++) checkDigest(ctx, diffIds[i], '/rootfs/diff_ids', i);
    }
  }
  const history = c['history'];
  if (Array.isArray(history)) {
    let nonEmpty = 0;
    for (let i = 0; i < history.length; i++) {
      const h: unknown = history[i];
      if (!isObject(h)) continue;
      if (h['empty_layer'] !== true) nonEmpty++;
      const hc = h['created'];
      if (typeof hc === 'string' && !isDateTime(hc)) {
        ctx.must('CONFIG_CREATED_INVALID', child(child('/history', i), 'created'), `expected an RFC 3339 date-time, found ${show(hc)}`, ref);
      }
    }
    // empty_layer marks the entries that have no layer in rootfs.diff_ids, so
    // the others correspond one to one with the layers. The spec states no
    // RFC 2119 keyword for it: a warning, as tools do disagree in the wild.
    if (layerCount !== undefined && history.length > 0 && nonEmpty !== layerCount) {
      ctx.should('CONFIG_HISTORY_LAYER_MISMATCH', '/history', `expected ${layerCount} history entries without empty_layer (one per rootfs.diff_ids entry), found ${nonEmpty}`, ref);
    }
  }
}

function checkContainerConfig(ctx: Context, config: Record<string, unknown>): void {
  const ref = Ref.ConfigProperties;
  const env = config['Env'];
  if (Array.isArray(env)) {
    env.forEach((e: unknown, i) => {
      if (typeof e === 'string' && !ENV_RE.test(e)) {
        ctx.must('CONFIG_ENV_INVALID', child('/config/Env', i), `expected an entry in the format VARNAME=VARVALUE, found ${show(e)}`, ref);
      }
    });
  }
  const ports = config['ExposedPorts'];
  if (isObject(ports)) {
    for (const key in ports) {
      const at = child('/config/ExposedPorts', key);
      const m = PORT_RE.exec(key);
      const port = m ? Number(m[1]) : NaN;
      if (!m || port < 1 || port > 65535) {
        ctx.must('CONFIG_EXPOSED_PORT_INVALID', at, `expected "port/tcp", "port/udp" or "port" with a port from 1 to 65535, found ${show(key)}`, ref);
      } else if (m[2] !== undefined && m[2] !== 'tcp' && m[2] !== 'udp') {
        ctx.should('CONFIG_EXPOSED_PORT_PROTOCOL', at, `expected protocol tcp or udp, found ${show(m[2])}`, ref);
      }
    }
  }
  const signal = config['StopSignal'];
  if (typeof signal === 'string' && !SIGNAL_RE.test(signal)) {
    ctx.should('CONFIG_STOP_SIGNAL_INVALID', '/config/StopSignal', `expected a signal name in the format SIGNAME (e.g. SIGTERM, SIGRTMIN+3), found ${show(signal)}`, ref);
  }
  if (config['Labels'] !== undefined) checkLabels(ctx, config['Labels'], '/config/Labels');
}

/** image-layout.md "oci-layout file". */
export function checkImageLayout(ctx: Context, l: unknown): void {
  if (!isObject(l)) return;
  const version = l['imageLayoutVersion'];
  if (typeof version === 'string' && version !== '1.0.0') {
    ctx.must('LAYOUT_VERSION_UNSUPPORTED', '/imageLayoutVersion', `expected imageLayoutVersion "1.0.0", found ${show(version)}`, Ref.LayoutFile);
  }
}

/** Docker manifest v2 schema 2 "Image Manifest Field Descriptions". */
export function checkDockerManifest(ctx: Context, m: unknown): void {
  if (!isObject(m)) return;
  const ref = Ref.DockerManifest;
  // The Docker spec says "should", but distribution refuses a schema 2
  // manifest whose mediaType is not this one: it is how the format is told apart.
  checkHeader(ctx, m, { mediaType: MediaType.DockerManifest, schemaVersionCode: 'DOCKER_SCHEMA_VERSION', mismatchCode: 'DOCKER_MEDIA_TYPE_MISMATCH' }, ref);
  const config = m['config'];
  checkDescriptor(ctx, config, '/config', true);
  if (isObject(config) && typeof config['mediaType'] === 'string' && config['mediaType'] !== MediaType.DockerImageConfig && config['mediaType'] !== MediaType.DockerPluginConfig) {
    ctx.should('DOCKER_CONFIG_MEDIA_TYPE', '/config/mediaType', `expected ${MediaType.DockerImageConfig}, found ${show(config['mediaType'])}`, ref);
  }
  const layers = m['layers'];
  if (Array.isArray(layers)) {
    layers.forEach((layer: unknown, i) => {
      const at = child('/layers', i);
      checkDescriptor(ctx, layer, at, true);
      if (isObject(layer) && typeof layer['mediaType'] === 'string' && !DOCKER_LAYER_MEDIA_TYPES.includes(layer['mediaType'])) {
        ctx.should('DOCKER_LAYER_MEDIA_TYPE', child(at, 'mediaType'), `expected ${MediaType.DockerLayerGzip} or the foreign layer type, found ${show(layer['mediaType'])}`, ref);
      }
    });
  }
}

/** Docker manifest v2 schema 2 "Manifest List Field Descriptions". */
export function checkDockerManifestList(ctx: Context, x: unknown): void {
  if (!isObject(x)) return;
  const ref = Ref.DockerManifestList;
  checkHeader(ctx, x, { mediaType: MediaType.DockerManifestList, schemaVersionCode: 'DOCKER_SCHEMA_VERSION', mismatchCode: 'DOCKER_MEDIA_TYPE_MISMATCH' }, ref);
  const manifests = x['manifests'];
  if (Array.isArray(manifests)) {
    for (let i = 0; i < manifests.length; i++) checkDescriptor(ctx, manifests[i], child('/manifests', i), true);
  }
}

/** A standalone descriptor document. */
export function checkDescriptorDocument(ctx: Context, d: unknown): void {
  checkDescriptor(ctx, d, '');
}
