/**
 * Bundles for the checks: the Linux default configuration of
 * `@ocikit/runtime-spec` with `terminal` off and the run's rootfs as an
 * absolute `root.path`, plus each check's edits. One directory per check.
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigBuilder, type Spec } from '@ocikit/runtime-spec';
import type { Bundle, BundleOptions } from './check.js';

/** Hostname of every check's container unless a check sets its own. */
export const DEFAULT_HOSTNAME = 'ocikit';

export class BundleFactory {
  private count = 0;

  /**
   * `workDir` holds the bundles; `rootfs` is shared by all of them;
   * `ociVersion` is what every config.json declares (a version the runtime
   * says it implements: runtimes may refuse newer ones).
   */
  constructor(
    readonly workDir: string,
    readonly rootfs: string,
    readonly ociVersion?: string,
    /** Bundles an unprivileged user's runtime can run (see {@link makeRootless}); applied before each check's edits. */
    readonly rootless?: { uid: number; gid: number },
  ) {
    mkdirSync(path.join(workDir, 'bundles'), { recursive: true });
  }

  create(name: string, options: BundleOptions = {}): Bundle {
    this.count += 1;
    const slug = name.replace(/[^A-Za-z0-9_.-]+/g, '-');
    const dir = realpathSync(mkdirOnce(path.join(this.workDir, 'bundles', `${String(this.count).padStart(3, '0')}-${slug}`)));
    const host = path.join(dir, 'host');
    mkdirSync(host);
    const files = { stdin: path.join(dir, 'stdin'), stdout: path.join(dir, 'stdout'), stderr: path.join(dir, 'stderr') };
    writeFileSync(files.stdin, options.stdin ?? '');
    writeFileSync(files.stdout, '');
    writeFileSync(files.stderr, '');

    const args = options.args ?? (options.script !== undefined ? ['sh', '-c', options.script] : ['sh', '-c', 'true']);
    const builder = new ConfigBuilder({ os: 'linux', ...(this.ociVersion !== undefined && { ociVersion: this.ociVersion }) })
      .terminal(false)
      .root(this.rootfs, true)
      .hostname(DEFAULT_HOSTNAME)
      .args(...args);
    let spec: Spec;
    if (this.rootless) {
      const base = builder.build();
      makeRootless(base, this.rootless);
      const tuned = ConfigBuilder.from(base);
      options.configure?.(tuned);
      spec = tuned.build();
    } else {
      options.configure?.(builder);
      spec = builder.build();
    }
    options.patch?.(spec, { dir, host });

    const configPath = path.join(dir, 'config.json');
    let current = spec;
    const bundle: Bundle = {
      dir,
      configPath,
      host,
      ...files,
      get spec() {
        return current;
      },
      write(next: Spec) {
        writeFileSync(configPath, `${JSON.stringify(next, null, 2)}\n`);
        current = next;
      },
      output() {
        return readFileSync(files.stdout, 'utf8');
      },
    };
    bundle.write(spec);
    return bundle;
  }
}

function mkdirOnce(dir: string): string {
  mkdirSync(dir);
  return dir;
}

/**
 * The edits that make the default configuration runnable by an unprivileged
 * user, as `runc spec --rootless` makes them: a user namespace mapping the
 * caller to root, /sys bound from the host (sysfs cannot be mounted from a
 * user namespace that does not own the network namespace's), devpts without
 * `gid=5` (the group is not mapped), and no cgroup resources (an
 * unprivileged runtime cannot write them without delegation).
 */
export function makeRootless(spec: Spec, ids: { uid: number; gid: number }): void {
  const linux = (spec.linux ??= {});
  const namespaces = (linux.namespaces ??= []);
  if (!namespaces.some((n) => n.type === 'user')) namespaces.push({ type: 'user' });
  linux.uidMappings = [{ containerID: 0, hostID: ids.uid, size: 1 }];
  linux.gidMappings = [{ containerID: 0, hostID: ids.gid, size: 1 }];
  delete linux.resources;
  spec.mounts = (spec.mounts ?? []).map((m) => {
    if (m.type === 'sysfs') return { destination: m.destination, type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
    if (m.type === 'devpts') return { ...m, options: (m.options ?? []).filter((o) => !o.startsWith('gid=')) };
    return m;
  });
}
