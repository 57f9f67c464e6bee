/**
 * A throwaway GnuPG home with fresh keys (no passphrase unless asked), for
 * tests that sign with gpg, skopeo or OpenPGP key files. `dispose()` stops
 * the agent gpg started for it and removes it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface GnupgHome {
  home: string;
  /** Primary key fingerprint of each generated key, in order. */
  fingerprints: string[];
  /** Export the public key of `fpr` (armored) to `file`. */
  exportPublic(fpr: string, file: string): void;
  /** Export the secret key of `fpr` (armored, protected by the passphrase it was made with) to `file`. */
  exportSecret(fpr: string, file: string): void;
  env: NodeJS.ProcessEnv;
  dispose(): Promise<void>;
}

export interface GnupgHomeOptions {
  /** Key lifetime as gpg spells it (`1d`, `seconds=N`); never expires when absent. */
  expire?: string;
  /** Make the keys as if the clock read this (gpg `--faked-system-time`, e.g. `20200101T000000`). */
  createdAt?: string;
  /** Protect the keys with this passphrase (default none). */
  passphrase?: string;
}

export async function makeGnupgHome(uids: readonly string[], options: GnupgHomeOptions = {}): Promise<GnupgHome> {
  const home = await mkdtemp(path.join(tmpdir(), 'ocikit-gnupg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const passphrase = options.passphrase ?? '';
  const gpg = (args: string[]) => {
    const r = spawnSync('gpg', ['--batch', '--no-tty', ...args], { env, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const fingerprints: string[] = [];
  for (const uid of uids) {
    const clock = options.createdAt !== undefined ? ['--faked-system-time', `${options.createdAt}!`] : [];
    gpg([...clock, '--pinentry-mode', 'loopback', '--passphrase', passphrase, '--quick-generate-key', uid, 'default', 'default', options.expire ?? 'never']);
    const listing = gpg(['--with-colons', '--list-keys', uid]);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(listing)?.[1];
    if (fpr === undefined) throw new Error(`no fingerprint for ${uid}`);
    fingerprints.push(fpr);
  }
  return {
    home,
    fingerprints,
    env,
    exportPublic(fpr, file) {
      gpg(['--armor', '--output', file, '--export', fpr]);
    },
    exportSecret(fpr, file) {
      gpg(['--pinentry-mode', 'loopback', '--passphrase', passphrase, '--armor', '--output', file, '--export-secret-keys', fpr]);
    },
    async dispose() {
      spawnSync('gpgconf', ['--kill', 'all'], { env, timeout: 10_000 });
      await rm(home, { recursive: true, force: true });
    },
  };
}
