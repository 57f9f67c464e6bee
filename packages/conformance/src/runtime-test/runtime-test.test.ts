import { it, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runRuntimeTest, type RunReport } from './run.js';
import { buildBusyboxRootfs, findStaticBusybox } from './rootfs.js';
import { selectChecks } from './select.js';
import { ALL_CHECKS } from './checks/index.js';
import { describeWithPeers } from '@ocikit/testkit';
import { readHostFeatures } from './host.js';
import { containersUnder, RUNC, RUNC_DEVIATIONS, RUNC_PEERS } from '../test-support/runtimes.js';

// Real containers: needs root (CI runs as root), Debian's runc and busybox-static.



const failing = (report: RunReport) => report.results.filter((r) => r.status === 'fail').map((r) => r.id).sort();

let wrappers: string;

/** A wrapper around runc that breaks one rule; `node` edits config.json where needed. */
function wrapper(name: string, body: string): string {
  const file = path.join(wrappers, name);
  writeFileSync(file, `#!/bin/sh\nRUNC=${RUNC}\nNODE=${process.execPath}\n${body}\nexec "$RUNC" "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Shell that sets $bundle to the --bundle argument of a create call. */
const BUNDLE_ARG = 'bundle=.; prev=; for a in "$@"; do [ "$prev" = --bundle ] && bundle=$a; prev=$a; done';

/** Shell that rewrites the bundle's config.json with a JS expression over `c`. */
const editConfig = (js: string) =>
  `if [ "$1" = create ]; then ${BUNDLE_ARG}; "$NODE" -e 'const fs=require("fs");const f=process.argv[1]+"/config.json";const c=JSON.parse(fs.readFileSync(f,"utf8"));${js};fs.writeFileSync(f,JSON.stringify(c))' "$bundle"; fi`;

interface Broken {
  does: string;
  target: string;
  only: string[];
  body: string;
}

const BROKEN: Broken[] = [
  {
    does: 'reports "running" for a created container',
    target: 'lifecycle.create-status',
    only: ['lifecycle', 'state', 'cli'],
    body: `if [ "$1" = state ]; then out=$("$RUNC" "$@") || exit $?; printf '%s\\n' "$out" | sed 's/"status": "created"/"status": "running"/'; exit 0; fi`,
  },
  {
    does: 'drops an environment variable',
    target: 'process.env',
    only: ['process', 'lifecycle.config-after-create'],
    body: editConfig('c.process.env=c.process.env.filter((e)=>!e.startsWith("OCIKIT_GREETING="))'),
  },
  {
    does: 'ignores --pid-file',
    target: 'cli.pid-file',
    only: ['cli', 'state'],
    body: 'if [ "$1" = create ]; then skip=; for a do shift; if [ -n "$skip" ]; then skip=; continue; fi; case $a in --pid-file) skip=1; continue ;; --pid-file=*) continue ;; esac; set -- "$@" "$a"; done; fi',
  },
  {
    does: 'lets start succeed on a started container',
    target: 'lifecycle.start-started',
    only: ['lifecycle'],
    body: 'if [ "$1" = start ]; then if "$RUNC" state "$2" 2>/dev/null | grep -q \'"status": "created"\'; then exec "$RUNC" "$@"; fi; "$RUNC" state "$2" >/dev/null 2>&1 && exit 0; fi',
  },
  {
    does: 'skips hooks (runs only the first of each kind)',
    target: 'hooks.order',
    only: ['hooks'],
    body: editConfig('for(const k of Object.keys(c.hooks||{}))c.hooks[k]=c.hooks[k].slice(0,1)'),
  },
  {
    does: 'installs seccomp filters with SCMP_ACT_ALLOW whatever defaultAction says',
    target: 'seccomp.default-errno',
    only: ['seccomp'],
    body: editConfig('if(c.linux&&c.linux.seccomp)c.linux.seccomp.defaultAction="SCMP_ACT_ALLOW"'),
  },
  {
    does: 'drops the memory limit from update --resources',
    target: 'update.memory',
    only: ['update'],
    body: 'if [ "$1" = update ]; then f=; prev=; for a do [ "$prev" = --resources ] && f=$a; prev=$a; done; [ -n "$f" ] && "$NODE" -e \'const fs=require("fs");const r=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));delete r.memory;fs.writeFileSync(process.argv[1],JSON.stringify(r))\' "$f"; fi',
  },
  {
    does: 'ignores linux.resources.cpu.quota',
    target: 'resources.cpu-quota',
    only: ['resources', 'devices.cgroup*'],
    body: editConfig('const r=c.linux&&c.linux.resources;if(r&&r.cpu)delete r.cpu.quota'),
  },
  {
    does: 'drops the rprivate option of bind mounts',
    target: 'mounts.propagation-rprivate',
    only: ['mounts', 'rootfs'],
    body: editConfig('for(const m of c.mounts||[])if(m.options)m.options=m.options.filter((o)=>o!=="rprivate")'),
  },
];

describeWithPeers(RUNC_PEERS, 'runtime-test against real runc', () => {
  let baseline: RunReport;

  beforeAll(async () => {
    wrappers = mkdtempSync(path.join(tmpdir(), 'ocikit-broken-runc-'));
    // The userns checks' mapped root must reach the work directories made in here (the harness changes no mode outside them).
    chmodSync(wrappers, 0o755);
    baseline = await runRuntimeTest({ runtime: RUNC, tmpDir: wrappers });
  });

  afterAll(() => rmSync(wrappers, { recursive: true, force: true }));

  it('runs every check and removes every container it made', () => {
    expect(baseline.results.map((r) => r.id)).toEqual(ALL_CHECKS.map((c) => c.id));
    expect(baseline.interrupted).toBe(false);
    expect(baseline.cleanup.leftovers).toEqual([]);
    expect(containersUnder(wrappers)).toEqual([]);
    expect(readdirSync(wrappers)).toEqual([]);
  });

  it('passes runc except where runc 1.1.5 deviates from the spec', () => {
    const fails = failing(baseline);
    expect(fails.filter((id) => !RUNC_DEVIATIONS.includes(id))).toEqual([]);
    // The failures carry the expected/actual a runtime author needs.
    for (const r of baseline.results.filter((x) => x.status === 'fail')) expect(r.message).toMatch(/^expected /);
    // The list stays honest: each deviation named is one runc shows.
    expect(RUNC_DEVIATIONS.filter((id) => !fails.includes(id))).toEqual([]);
    // A skip always says why: a rule newer than runc declares, a feature this host lacks, or a command runc lacks.
    for (const r of baseline.results.filter((x) => x.status === 'skip')) expect(`${r.id}: ${r.message}`).toMatch(/^[\w.-]+: (a runtime-spec \d+\.\d+\.\d+ rule; |host: |runtime: )/);
    expect(baseline.summary.pass).toBeGreaterThan((ALL_CHECKS.length * 3) / 4);
    // Where the host has user namespaces, their checks ran (and passed).
    const userns = baseline.results.filter((r) => r.id.startsWith('userns.'));
    expect(userns.map((r) => r.status)).toEqual(userns.map(() => (readHostFeatures().userNamespaces ? 'pass' : 'skip')));
  });

  it.each(BROKEN)('a runc that $does fails $target and nothing else', async ({ does, target, only, body }) => {
    const runtime = wrapper(target.replace(/\W/g, '-'), `# ${does}\n${body}`);
    expect(failing(baseline)).not.toContain(target);
    const selected = new Set(selectChecks(ALL_CHECKS, only).map((c) => c.id));
    expect(selected.has(target)).toBe(true);
    const report = await runRuntimeTest({ runtime, only, tmpDir: wrappers });
    const expected = [...failing(baseline).filter((id) => selected.has(id)), target].sort();
    expect(failing(report)).toEqual(expected);
    expect(report.cleanup.leftovers).toEqual([]);
  });

  it('writes every config.json in the release runc declares (1.0.2-dev: 1.0.2), or in --oci-version', async () => {
    const seen = path.join(wrappers, 'versions');
    const runtime = wrapper('record-version', editConfig(`fs.appendFileSync(${JSON.stringify(seen)},c.ociVersion+"\\n")`));
    const declared = await runRuntimeTest({ runtime, only: ['process.cwd'], tmpDir: wrappers });
    expect(declared.spec).toEqual({ version: '1.0.2', declared: '1.0.2-dev', source: 'features' });
    expect(failing(declared)).toEqual([]);
    expect([...new Set(readFileSync(seen, 'utf8').trim().split('\n'))]).toEqual(['1.0.2']);
    rmSync(seen);
    const chosen = await runRuntimeTest({ runtime, only: ['process.cwd'], tmpDir: wrappers, ociVersion: '1.0.0' });
    expect(chosen.spec).toEqual({ version: '1.0.0', source: 'override' });
    expect(failing(chosen)).toEqual([]);
    expect([...new Set(readFileSync(seen, 'utf8').trim().split('\n'))]).toEqual(['1.0.0']);
    rmSync(seen);
  }, 60_000);

  it('runs on a --rootfs and leaves it as it found it', async () => {
    const rootfs = path.join(wrappers, 'user-rootfs');
    buildBusyboxRootfs(rootfs, findStaticBusybox()!);
    rmSync(path.join(rootfs, 'ocikit'), { recursive: true });
    const listing = (dir: string) => readdirSync(dir).sort();
    const top = listing(rootfs);
    const tmp = listing(path.join(rootfs, 'tmp'));
    const report = await runRuntimeTest({ runtime: RUNC, rootfs, only: ['hooks.order', 'mounts.tmpfs', 'mounts.bind', 'mounts.order', 'root.readonly', 'process.cwd'] });
    expect(failing(report)).toEqual([]);
    expect(report.summary.pass).toBe(6);
    expect(listing(rootfs)).toEqual(top);
    expect(listing(path.join(rootfs, 'tmp'))).toEqual(tmp);
  });
});
