/**
 * Image config to runtime config (image-spec conversion.md). Starts from
 * @ocikit/runtime-spec's default Linux config (the `runc spec` document)
 * and applies every MUST of the conversion; the result is validated.
 */
import type * as RuntimeSpec from '@ocikit/runtime-spec';
import type { Mount, Spec } from '@ocikit/runtime-spec';

// Loaded on first conversion: validating or reading a layout never pays for
// runtime-spec's validators.
let runtimeSpec: Promise<typeof RuntimeSpec> | undefined;
import { BundleError, BundleErrorCode, BundleSpecRef } from '../errors.js';
import type { ConfinedRoot } from '../fs/confine.js';
import type { ImageConfig } from '@ocikit/image-spec';
import { resolveUser } from './user.js';

/** Annotations conversion.md derives from the image config. */
export const ConvertedAnnotation = {
  OS: 'org.opencontainers.image.os',
  Architecture: 'org.opencontainers.image.architecture',
  Variant: 'org.opencontainers.image.variant',
  OSVersion: 'org.opencontainers.image.os.version',
  OSFeatures: 'org.opencontainers.image.os.features',
  Author: 'org.opencontainers.image.author',
  Created: 'org.opencontainers.image.created',
  StopSignal: 'org.opencontainers.image.stopSignal',
  ExposedPorts: 'org.opencontainers.image.exposedPorts',
} as const;

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ConvertOptions {
  /** The unpacked rootfs, for `Config.User` lookup. */
  root: ConfinedRoot;
  /** A config an unprivileged caller can run (user namespace mapping the caller to root). */
  rootless?: boolean;
  /** Turn `Config.Volumes` into bind mounts of `volumes/<n>` in the bundle (conversion.md "Optional Fields"). */
  volumes?: boolean;
  /** Run with a terminal (default false, so that output can be captured). */
  terminal?: boolean;
  /** runtime-spec release to declare; newer fields are left out (runtime-spec downgradeConfig). */
  ociVersion?: string;
}

/** The generated config and the bundle directories its volume mounts need. */
export interface ConvertResult {
  spec: Spec;
  volumeDirs: string[];
}

/** Refuse a version that is not a runtime-spec release (UNSUPPORTED_VERSION). */
export async function checkOciVersion(version: string): Promise<void> {
  const { isSpecVersion, SPEC_VERSIONS } = await (runtimeSpec ??= import('@ocikit/runtime-spec'));
  if (!isSpecVersion(version)) {
    throw new BundleError(BundleErrorCode.UnsupportedVersion, `expected a runtime-spec release (${SPEC_VERSIONS.join(', ')}) for config.json, found ${JSON.stringify(version)}`);
  }
}

export async function convertConfig(image: ImageConfig, options: ConvertOptions): Promise<ConvertResult> {
  const { defaultConfig, downgradeConfig, validate: validateRuntime } = await (runtimeSpec ??= import('@ocikit/runtime-spec'));
  let spec = defaultConfig({ os: 'linux', rootless: options.rootless === true });
  const c = image.config ?? {};
  const proc = spec.process!;
  proc.terminal = options.terminal ?? false;

  // Verbatim fields.
  if (c.WorkingDir) proc.cwd = c.WorkingDir;
  const env = c.Env ?? [];
  // conversion.md: the converter MAY add entries but not ones named in Config.Env.
  const names = new Set(env.map((e) => e.split('=', 1)[0]));
  // Parsed fields: Config.User from the rootfs's own databases.
  const { user, home } = resolveUser(c.User ?? undefined, options.root);
  proc.env = [
    ...env,
    ...(names.has('PATH') ? [] : [DEFAULT_PATH]),
    ...(names.has('HOME') || home === undefined || options.rootless ? [] : [`HOME=${home}`]),
    ...(names.has('TERM') || !proc.terminal ? [] : ['TERM=xterm']),
  ];
  const args = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (args.length > 0) proc.args = args;

  // Rootless maps only the caller (to root): the image's user is still
  // resolved (an unknown one is an error) but cannot be honoured.
  proc.user = options.rootless ? { uid: 0, gid: 0 } : user;

  // Annotation fields: implicit ones first, Config.Labels take precedence.
  const ann: { [key: string]: string } = {};
  ann[ConvertedAnnotation.OS] = image.os;
  ann[ConvertedAnnotation.Architecture] = image.architecture;
  // config.md: an OPTIONAL field that is null is the same as one that is absent.
  if (image.variant != null) ann[ConvertedAnnotation.Variant] = image.variant;
  if (image['os.version'] != null) ann[ConvertedAnnotation.OSVersion] = image['os.version'];
  if (image['os.features'] != null && image['os.features'].length > 0) ann[ConvertedAnnotation.OSFeatures] = image['os.features'].join(',');
  if (image.author != null) ann[ConvertedAnnotation.Author] = image.author;
  if (image.created != null) ann[ConvertedAnnotation.Created] = image.created;
  if (c.StopSignal != null && c.StopSignal !== '') ann[ConvertedAnnotation.StopSignal] = c.StopSignal;
  const ports = Object.keys(c.ExposedPorts ?? {});
  if (ports.length > 0) ann[ConvertedAnnotation.ExposedPorts] = ports.join(',');
  for (const [k, v] of Object.entries(c.Labels ?? {})) ann[k] = v;
  spec.annotations = ann;

  spec.root = { path: 'rootfs', readonly: false };

  const volumeDirs: string[] = [];
  if (options.volumes) {
    const mounts: Mount[] = spec.mounts ?? [];
    Object.keys(c.Volumes ?? {})
      .sort()
      .forEach((destination, i) => {
        const source = `volumes/${i}`;
        volumeDirs.push(source);
        mounts.push({ destination, type: 'bind', source, options: ['rbind', 'rw'] });
      });
    spec.mounts = mounts;
  }

  // Nothing above is newer than 1.0.0 today; the table decides, not this file.
  if (options.ociVersion !== undefined) {
    await checkOciVersion(options.ociVersion);
    spec = downgradeConfig(spec, options.ociVersion).config;
  }

  const result = validateRuntime('runtime-config', spec, { level: 'MUST', os: 'linux' });
  if (!result.valid) {
    const first = result.errors[0]!;
    throw new BundleError(BundleErrorCode.InvalidRuntimeConfig, `generated config.json is invalid: ${first.path || '/'}: ${first.message}`, { ref: BundleSpecRef.Conversion });
  }
  return { spec, volumeDirs };
}
