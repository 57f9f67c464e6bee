/**
 * Bundle rules (runtime-spec `bundle.md`) on top of the config rules: the
 * configuration file, the root filesystem and the executable inside it, and
 * on request what only this host can answer (kernel capabilities, filesystem
 * types). Paths inside the rootfs are resolved confined to it (../confine.ts,
 * the one confinement module, shared with @ocikit/bundle's writes).
 */
import { lstat, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { describeFileType, FileError, FileErrorCode, Limits, readJsonText, readRegularFile, tooLargeFinding, type ValidationResult } from '@ocikit/validation';
import { LINUX_CAPABILITIES } from '../constants.js';
import type { Spec } from '../types/config.js';
import { Findings, specRef } from '../validate/findings.js';
import { validate, type ValidateOptions } from '../validate/index.js';
import { configPlatform } from '../validate/config.js';
import { ptr } from '../validate/common.js';
import { resolveInRoot } from '../confine.js';

export interface ValidateBundleOptions extends ValidateOptions {
  /**
   * Also check against this host: capabilities known to the running kernel
   * (`/proc/sys/kernel/cap_last_cap`) and mount types in `/proc/filesystems`.
   */
  hostChecks?: boolean;
  /** Where the host's procfs is (tests point it elsewhere). Default `/proc`. */
  procRoot?: string;
}

const BUNDLE_REF = specRef('bundle.md');
const ROOT_REF = specRef('config.md', 'root');
const PROCESS_REF = specRef('config.md', 'process');
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function within(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Validate a bundle directory: its config.json and what the config points at. */
export async function validateBundle(dir: string, options: ValidateBundleOptions = {}): Promise<ValidationResult> {
  const f = new Findings(options.level);
  const bundle = path.resolve(dir);
  const configPath = path.join(bundle, 'config.json');
  const st = await lstat(configPath).catch(() => undefined);
  if (!st || !st.isFile()) {
    f.must('BundleConfigPresent', '', `expected a regular file config.json at the root of ${bundle}, found ${st ? describeFileType(st) : 'nothing'}`, BUNDLE_REF);
    return f.result();
  }
  let bytes: Buffer;
  try {
    // The limit pack and bundle digest read it with too.
    bytes = readRegularFile(configPath, Limits.ConfigBytes, { followSymlinks: false });
  } catch (err) {
    if (!(err instanceof FileError)) throw err;
    if (err.code === FileErrorCode.TooLarge) f.error(tooLargeFinding('', err));
    else f.must('BundleConfigPresent', '', `expected a regular file config.json at the root of ${bundle}: ${err.message}`, BUNDLE_REF);
    return f.result();
  }
  // The JSON reader's findings keep their side (a duplicate name is an error at level SHOULD).
  const text = readJsonText(bytes, options);
  f.merge(text);
  if (!text.parsed) return f.result();
  f.merge(validate('runtime-config', text.value, options));
  if (!f.valid) return f.result();
  const spec = text.value as Spec;
  const os = configPlatform(spec, options.os);

  if (spec.root && os !== 'windows') {
    const rootHost = path.resolve(bundle, spec.root.path);
    const rootSt = await lstat(rootHost).catch(() => undefined);
    const real = await realpath(rootHost).catch(() => undefined);
    const dirOk = real !== undefined && (await lstat(real).then((s) => s.isDirectory()).catch(() => false));
    if (!dirOk) {
      f.must('RootPathExist', '/root/path', `expected a directory at ${rootHost}, found ${rootSt ? 'something that is not a directory' : 'nothing'}`, ROOT_REF);
    } else {
      const realBundle = await realpath(bundle);
      if (!within(realBundle, real)) {
        f.must('BundleArtifactsInOneDirectory', '/root/path', `expected the root filesystem inside the bundle directory ${realBundle}, found ${real}`, BUNDLE_REF);
      }
      if (spec.process?.args?.[0]) await checkExecutable(f, real, spec);
    }
  }
  if (options.hostChecks && (os === 'linux' || os === 'vm' || os === undefined)) await hostChecks(f, spec, options.procRoot ?? '/proc');
  return f.result();
}

/** The executable (args[0], searched in the container's PATH when bare) exists in the rootfs and is executable. */
async function checkExecutable(f: Findings, rootfs: string, spec: Spec): Promise<void> {
  const p = spec.process!;
  const exe = p.args![0]!;
  const candidates: string[] = [];
  if (exe.includes('/')) candidates.push(exe.startsWith('/') ? exe : path.posix.join(p.cwd, exe));
  else {
    const pathVar = p.env?.filter((e) => e.startsWith('PATH=')).pop()?.slice(5) ?? DEFAULT_PATH;
    for (const d of pathVar.split(':')) if (d !== '') candidates.push(path.posix.join(d.startsWith('/') ? d : path.posix.join(p.cwd, d), exe));
  }
  let found: string | undefined;
  for (const c of candidates) {
    const r = await resolveInRoot(rootfs, c);
    if (r.stats?.isFile() && !r.problem) {
      if ((r.stats.mode & 0o111) === 0) {
        f.must('ProcArgsExecutableInRootfs', '/process/args/0', `expected an executable file at ${c} in the rootfs, found one without execute permission`, PROCESS_REF);
        return;
      }
      found = c;
      break;
    }
  }
  if (found === undefined) {
    f.must('ProcArgsExecutableInRootfs', '/process/args/0', `expected the executable ${JSON.stringify(exe)} inside the rootfs, found nothing at ${candidates.join(', ')}`, PROCESS_REF);
  }
}

async function hostChecks(f: Findings, spec: Spec, proc: string): Promise<void> {
  const lastCap = Number((await readFile(path.join(proc, 'sys/kernel/cap_last_cap'), 'utf8').catch(() => '')).trim());
  const caps = spec.process?.capabilities;
  if (caps && Number.isInteger(lastCap) && lastCap > 0) {
    for (const set of ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const) {
      caps[set]?.forEach((cap, k) => {
        const index = (LINUX_CAPABILITIES as readonly string[]).indexOf(cap);
        if (index > lastCap) f.must('HostCapabilityUnknown', ptr('/process/capabilities', set, k), `expected a capability this kernel knows (up to number ${lastCap}), found ${cap} (number ${index})`, specRef('config.md', 'linux-process'));
      });
    }
  }
  const fsText = await readFile(path.join(proc, 'filesystems'), 'utf8').catch(() => undefined);
  if (fsText !== undefined && spec.mounts) {
    const types = new Set(fsText.split('\n').map((l) => l.trim().split(/\s+/).pop()).filter((t): t is string => !!t));
    spec.mounts.forEach((m, k) => {
      const bind = (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
      if (m.type !== undefined && !bind && m.type !== 'none' && m.type !== 'bind' && !types.has(m.type)) {
        // SHOULD: the kernel may load the filesystem module on first mount.
        f.should('HostMountTypeUnknown', ptr('/mounts', k, 'type'), `expected a filesystem type listed in /proc/filesystems, found "${m.type}" (not loaded on this host)`, specRef('config.md', 'posix-platform-mounts'));
      }
    });
  }
}
