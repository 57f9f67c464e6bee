/**
 * The container's config.json: the image config decides (image-spec
 * conversion.md, through @ocikit/bundle's convertConfig), with the run
 * options applied the way `docker run` and `podman run` apply them, and the
 * executable checked in the rootfs before any runtime is asked to start it.
 */
import { constants } from 'node:fs';
import { ConfinedRoot, convertConfig, resolveUser } from '@ocikit/bundle';
import { rootlessIdMappings, type IdMappings } from './id-mappings.js';
import type { ImageConfig } from '@ocikit/image-spec';
import type { Spec } from '@ocikit/runtime-spec';
import { ContainerError, ContainerErrorCode, ContainerSpecRef, q } from '../errors.js';

export interface ProcessOptions {
  /** Arguments after IMAGE: they replace the image's Cmd. */
  args?: readonly string[];
  /** `--entrypoint`: replaces the image's Entrypoint, and its Cmd with it. */
  entrypoint?: readonly string[];
  /** `-e KEY=VAL` (a bare `KEY` takes the value from `hostEnv`), later ones winning. */
  env?: readonly string[];
  hostEnv?: NodeJS.ProcessEnv;
  /** `-w DIR`. */
  workdir?: string;
  /** `-u USER[:GROUP]`, names or ids, resolved in the rootfs. */
  user?: string;
  /** `-t`: a terminal for the process. */
  tty?: boolean;
  /** `--read-only`: the rootfs mounted read-only. */
  readOnly?: boolean;
  /** The container's hostname (default: its name). */
  hostname?: string;
  rootless?: boolean;
  /** A rootless container's id mappings (default: {@link rootlessIdMappings}). */
  idMappings?: IdMappings;
  /** The runtime-spec release the runtime speaks. */
  ociVersion?: string;
}

/** `KEY=VAL` entries with later ones replacing earlier ones of the same KEY, in first-seen order. */
function mergeEnv(base: readonly string[], extra: readonly string[], hostEnv: NodeJS.ProcessEnv): string[] {
  const merged = new Map<string, string>();
  for (const e of base) merged.set(e.split('=', 1)[0]!, e);
  for (const e of extra) {
    const eq = e.indexOf('=');
    if (eq === 0) throw new ContainerError(ContainerErrorCode.InvalidOption, `-e ${q(e)}: expected KEY=VALUE or KEY`);
    if (eq < 0) {
      // docker run -e KEY: the host's value, or nothing when the host has none.
      const v = hostEnv[e];
      if (v !== undefined) merged.set(e, `${e}=${v}`);
      continue;
    }
    merged.set(e.slice(0, eq), e);
  }
  return [...merged.values()];
}

/** The image config with the run options applied, before conversion. */
export function effectiveImageConfig(image: ImageConfig, options: ProcessOptions): ImageConfig {
  const c = { ...(image.config ?? {}) };
  if (options.entrypoint !== undefined) {
    c.Entrypoint = [...options.entrypoint];
    c.Cmd = [];
  }
  if (options.args !== undefined && options.args.length > 0) c.Cmd = [...options.args];
  if (options.env !== undefined && options.env.length > 0) c.Env = mergeEnv(c.Env ?? [], options.env, options.hostEnv ?? process.env);
  if (options.workdir !== undefined) {
    if (!options.workdir.startsWith('/')) throw new ContainerError(ContainerErrorCode.InvalidOption, `-w ${q(options.workdir)}: expected an absolute path in the container`);
    c.WorkingDir = options.workdir;
  }
  if (options.user !== undefined) c.User = options.user;
  return { ...image, config: c };
}

/** The runtime config for the container whose rootfs is at `rootfsHost`. */
export async function containerConfig(image: ImageConfig, rootfsHost: string, options: ProcessOptions): Promise<Spec> {
  const effective = effectiveImageConfig(image, options);
  const args = [...(effective.config?.Entrypoint ?? []), ...(effective.config?.Cmd ?? [])];
  if (args.length === 0) {
    throw new ContainerError(ContainerErrorCode.NoCommand, 'the image has no Entrypoint or Cmd and no command was given: name one after IMAGE (or --entrypoint)', { ref: ContainerSpecRef.Conversion });
  }
  const root = new ConfinedRoot(rootfsHost);
  const { spec } = await convertConfig(effective, {
    root,
    rootless: options.rootless === true,
    terminal: options.tty === true,
    ...(options.ociVersion !== undefined && { ociVersion: options.ociVersion }),
  });
  if (options.rootless) applyIdMappings(spec, root, effective, options.idMappings ?? rootlessIdMappings(options.hostEnv));
  if (options.readOnly) spec.root = { path: 'rootfs', readonly: true };
  if (options.hostname !== undefined) spec.hostname = options.hostname;
  checkExecutable(root, spec.process!.args![0]!, spec.process!.env ?? [], spec.process!.cwd);
  return spec;
}

/**
 * A rootless container with subordinate ids runs the image's user as
 * itself when its ids are mapped (convertConfig's rootless config runs
 * root, the only id one mapping has); an unmapped user is refused.
 */
function applyIdMappings(spec: Spec, root: ConfinedRoot, image: ImageConfig, mappings: IdMappings): void {
  spec.linux = { ...spec.linux, uidMappings: mappings.uidMappings, gidMappings: mappings.gidMappings };
  if (mappings.maxUid === 0) return;
  const { user, home } = resolveUser(image.config?.User ?? undefined, root);
  const ids = [user.gid, ...(user.additionalGids ?? [])];
  if (user.uid > mappings.maxUid || ids.some((g) => g > mappings.maxGid)) {
    throw new ContainerError(ContainerErrorCode.InvalidOption, `user ${user.uid}:${user.gid} is outside the ids mapped for this rootless container (0-${mappings.maxUid}, from /etc/subuid and /etc/subgid)`);
  }
  const proc = spec.process!;
  proc.user = user;
  const env = proc.env ?? [];
  if (home !== undefined && !env.some((e) => e.startsWith('HOME='))) proc.env = [...env, `HOME=${home}`];
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The executable the runtime will exec, looked up as execvp(3) in the
 * container would: a name with a slash as a path (relative to the working
 * directory), else each directory of the process's PATH. Every lookup
 * stays inside the rootfs (symlinks resolved against it, never out).
 */
export function checkExecutable(root: ConfinedRoot, command: string, env: readonly string[], cwd: string): void {
  const candidates = command.includes('/')
    ? [command.startsWith('/') ? command : `${cwd.replace(/\/$/, '')}/${command}`]
    : (env.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH)
        .split(':')
        .filter((d) => d.startsWith('/'))
        .map((d) => `${d.replace(/\/$/, '')}/${command}`);
  let found: { path: string; mode: number; file: boolean } | undefined;
  for (const candidate of candidates) {
    let stat;
    try {
      stat = root.resolve(candidate).stat;
    } catch {
      continue;
    }
    if (stat === undefined) continue;
    found ??= { path: candidate, mode: stat.mode, file: stat.isFile() };
    if (stat.isFile() && (stat.mode & (constants.S_IXUSR | constants.S_IXGRP | constants.S_IXOTH)) !== 0) return;
  }
  if (found !== undefined) {
    throw new ContainerError(ContainerErrorCode.NotExecutable, `${q(found.path)} in the image is not an executable file (${found.file ? `mode ${(found.mode & 0o7777).toString(8)}` : 'not a regular file'})`);
  }
  const where = command.includes('/') ? 'in the image' : `on the container's PATH (${candidates.map((c) => c.slice(0, c.length - command.length - 1)).join(':')})`;
  throw new ContainerError(ContainerErrorCode.ExecutableNotFound, `executable ${q(command)} not found ${where}`);
}
