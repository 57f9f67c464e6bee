/**
 * Packaging check: `npm pack` every publishable package, install the tarballs
 * into a fresh temporary project, and use each as a user would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../generate/generate.js';

/** Every publishable package: the keys of the package graph (tools/package-graph.json), in its order. */
export const PUBLISHED: readonly string[] = Object.keys(JSON.parse(readFileSync(path.join(REPO_ROOT, 'tools/package-graph.json'), 'utf8')) as Record<string, unknown>).filter((k) => !k.startsWith('$'));

export interface PackCheck {
  project: string;
  tarballs: string[];
  cleanup(): void;
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error', npm_config_audit: 'false', npm_config_fund: 'false' } });
}

/** Pack all packages and install them into a new project; returns its path. */
export function packAndInstall(): PackCheck {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocikit-pack-'));
  const tarDir = path.join(dir, 'tarballs');
  const project = path.join(dir, 'project');
  npm(['pack', '--pack-destination', dir, ...PUBLISHED.map((p) => `--workspace=@ocikit/${p}`)], REPO_ROOT);
  execFileSync('mkdir', ['-p', tarDir, project]);
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => path.join(dir, f));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
  npm(['install', '--no-save', '--no-package-lock', ...tarballs], project);
  return { project, tarballs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function packedVersion(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}
