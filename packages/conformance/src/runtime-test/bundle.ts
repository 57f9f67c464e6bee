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
    options.configure?.(builder);
    const spec = builder.build();
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
