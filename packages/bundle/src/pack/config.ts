/**
 * Runtime config back to image config: the reverse of image-spec
 * conversion.md, for the fields a user edits in a bundle's config.json.
 *
 * Only edits travel back. The base image config is converted again (the
 * same way unpack did) and each field of config.json is compared with that
 * conversion; a field that differs is written back into the image config,
 * one that does not leaves the image's own value untouched (so the entries
 * a converter adds, such as a default PATH, never leak into the image).
 */
import { hostPlatform, type ImageConfig } from '@ocikit/image-spec';
import type { ConfinedRoot } from '../fs/confine.js';
import { ConvertedAnnotation, convertConfig } from '../unpack/config.js';

/** The parts of a runtime config (runtime-spec config.md) that map back. */
export interface RuntimeConfigView {
  process?: { args?: string[]; env?: string[]; cwd?: string; user?: { uid: number; gid: number; additionalGids?: number[] } };
  annotations?: { [key: string]: string };
}

type ImageContainerConfig = NonNullable<ImageConfig['config']>;

const DERIVED = new Set<string>(Object.values(ConvertedAnnotation));
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Image `config` fields carried back from config.json, and what changed. */
export interface ReverseResult {
  config: ImageContainerConfig;
  /** Names of the image config fields that were changed. */
  changed: string[];
}

/**
 * Carry config.json edits back into `base` (an image config, or undefined
 * for a bundle that did not come from an image: then every field is taken).
 */
export async function reverseConfig(spec: RuntimeConfigView, base: ImageConfig | undefined, options: { root: ConfinedRoot; rootless?: boolean }): Promise<ReverseResult> {
  let baseline: RuntimeConfigView | undefined;
  if (base !== undefined) {
    try {
      baseline = (await convertConfig(base, { root: options.root, rootless: options.rootless === true })).spec as RuntimeConfigView;
    } catch {
      // The base no longer converts (its user left /etc/passwd): take every field.
      baseline = undefined;
    }
  }
  const out: ImageContainerConfig = structuredClone(base?.config ?? {});
  const changed: string[] = [];
  const proc = spec.process ?? {};
  const was = baseline?.process;

  const args = proc.args ?? [];
  if (!baseline || !same(args, was?.args ?? [])) {
    const entry = out.Entrypoint ?? [];
    if (entry.length > 0 && args.length >= entry.length && same(args.slice(0, entry.length), entry)) {
      out.Cmd = args.slice(entry.length);
      changed.push('Cmd');
    } else if (entry.length === 0) {
      out.Cmd = args;
      changed.push('Cmd');
    } else {
      out.Entrypoint = args;
      delete out.Cmd;
      changed.push('Entrypoint', 'Cmd');
    }
  }

  const env = proc.env ?? [];
  if (!baseline || !same(env, was?.env ?? [])) {
    // Entries the conversion added (not in the image's Env) stay out, unless edited.
    const baseEnv = new Set(base?.config?.Env ?? []);
    const added = new Set((was?.env ?? []).filter((e) => !baseEnv.has(e)));
    out.Env = env.filter((e) => !added.has(e));
    changed.push('Env');
  }

  if (proc.cwd !== undefined && (!baseline || proc.cwd !== was?.cwd)) {
    out.WorkingDir = proc.cwd;
    changed.push('WorkingDir');
  }

  if (proc.user !== undefined && (!baseline || !same(proc.user, was?.user))) {
    out.User = `${proc.user.uid}:${proc.user.gid}`;
    changed.push('User');
  }

  const ann = spec.annotations ?? {};
  const wasAnn = baseline?.annotations ?? {};
  const keys = new Set([...Object.keys(ann), ...Object.keys(wasAnn)]);
  for (const key of [...keys].sort()) {
    const now = ann[key];
    if (baseline && now === wasAnn[key]) continue;
    if (key === ConvertedAnnotation.StopSignal) {
      if (now === undefined || now === '') delete out.StopSignal;
      else out.StopSignal = now;
      changed.push('StopSignal');
    } else if (key === ConvertedAnnotation.ExposedPorts) {
      const ports = (now ?? '').split(',').filter((p) => p !== '');
      if (ports.length === 0) delete out.ExposedPorts;
      else out.ExposedPorts = Object.fromEntries(ports.map((p) => [p, {}]));
      changed.push('ExposedPorts');
    } else if (!DERIVED.has(key)) {
      const labels = { ...out.Labels };
      if (now === undefined) delete labels[key];
      else labels[key] = now;
      if (Object.keys(labels).length === 0) delete out.Labels;
      else out.Labels = labels;
      if (!changed.includes('Labels')) changed.push('Labels');
    }
  }
  return { config: out, changed };
}

/** Platform of a bundle with no image behind it: its annotations, else this host. */
export function platformOf(spec: RuntimeConfigView): { os: string; architecture: string; variant?: string } {
  const ann = spec.annotations ?? {};
  const host = hostPlatform();
  const os = ann[ConvertedAnnotation.OS] ?? host.os;
  const architecture = ann[ConvertedAnnotation.Architecture] ?? host.architecture;
  const variant = ann[ConvertedAnnotation.Variant] ?? (ann[ConvertedAnnotation.Architecture] === undefined ? host.variant : undefined);
  return { os, architecture, ...(variant !== undefined && { variant }) };
}
