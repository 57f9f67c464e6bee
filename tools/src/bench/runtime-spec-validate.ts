/**
 * Validation throughput of `@ocikit/runtime-spec` (A) against ajv compiled
 * directly from runtime-spec's own JSON Schema files (B), the validator a user
 * would otherwise assemble. Same documents, same process, one run.
 *
 * The upstream schemas are draft-04 files that refer to each other by file
 * name (`defs.json#/...`); they are loaded unmodified, as the Debian package
 * golang-github-opencontainers-specs-dev ships them, into ajv's draft-04
 * build (`ajv-draft-04`), each file registered under one base URL so those
 * relative references resolve.
 *
 * The documents: the valid rule fixtures and spec examples of the
 * runtime-spec package, `runc spec`/`crun spec` output, and a Docker-style
 * configuration with a large seccomp profile; only documents that both sides
 * accept are timed (the Debian schema is runtime-spec 1.0.2 and rejects some
 * 1.1+ documents). JSON text and already-parsed documents: see
 * validator-throughput.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv04Module from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { defaultConfig, validate, type RuntimeSpecKind, type Spec } from '@ocikit/runtime-spec';
import { REPO_ROOT } from '../generate/generate.js';
import type { Benchmark } from './registry.js';
import { compareValidators } from './validator-throughput.js';

const UPSTREAM = process.env['OCIKIT_RUNTIME_SPEC_SCHEMAS'] ?? '/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema';
const BASE = 'https://opencontainers.org/schema/runtime/';

// ajv-draft-04 is CommonJS: under NodeNext its default import is module.exports (the class).
const Ajv04 = Ajv04Module as unknown as new (opts: object) => { addSchema(s: object): void; getSchema(id: string): ValidateFunction | undefined };

/** Kinds both sides validate, with the upstream schema file of each. */
const KINDS: readonly [RuntimeSpecKind, string][] = [
  ['runtime-config', 'config-schema.json'],
  ['runtime-state', 'state-schema.json'],
];

/** ajv (draft-04) with every upstream schema file loaded; a compiled validator per kind. */
export function upstreamValidators(dir: string = UPSTREAM): Partial<Record<RuntimeSpecKind, ValidateFunction>> {
  const ajv = new Ajv04({ strict: false, allErrors: false });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    ajv.addSchema({ ...schema, id: BASE + file });
  }
  return Object.fromEntries(KINDS.map(([kind, file]) => [kind, ajv.getSchema(BASE + file)!]));
}

function toolSpec(tool: string, args: string[] = []): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'ocikit-bench-spec-'));
  try {
    execFileSync(tool, ['spec', ...args], { cwd: dir, stdio: 'ignore' });
    return readFileSync(path.join(dir, 'config.json'), 'utf8');
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A configuration shaped like what Docker/containerd generate: many mounts, env, a seccomp allow-list. */
function dockerLike(): Spec {
  const spec = defaultConfig();
  const names = Array.from({ length: 340 }, (_, i) => `syscall_${i}`);
  spec.process!.env = [...spec.process!.env!, ...Array.from({ length: 20 }, (_, i) => `VAR_${i}=value-${i}`)];
  spec.mounts = [...spec.mounts!, ...Array.from({ length: 8 }, (_, i) => ({ destination: `/etc/conf${i}`, type: 'bind', source: `/var/lib/docker/c/${i}`, options: ['rbind', 'ro'] }))];
  spec.linux!.seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names, action: 'SCMP_ACT_ALLOW' },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }] },
    ],
  };
  spec.linux!.resources = { ...spec.linux!.resources, memory: { limit: 536870912, swap: 1073741824 }, cpu: { shares: 512, quota: 50000, period: 100000 }, pids: { limit: 4096 } };
  return spec;
}

export function documents(): { kind: RuntimeSpecKind; text: string; source: string }[] {
  const fx = path.join(REPO_ROOT, 'packages/runtime-spec/test/fixtures');
  const docs: { kind: RuntimeSpecKind; text: string; source: string }[] = [];
  for (const [kind] of KINDS) {
    for (const f of readdirSync(path.join(fx, kind, 'valid')).sort()) docs.push({ kind, text: readFileSync(path.join(fx, kind, 'valid', f), 'utf8'), source: `${kind}/valid/${f}` });
  }
  for (const f of readdirSync(path.join(fx, 'spec-examples')).filter((x) => x.endsWith('.json')).sort()) {
    const kind = f.split('--')[0] as RuntimeSpecKind;
    if (KINDS.some(([k]) => k === kind)) docs.push({ kind, text: readFileSync(path.join(fx, 'spec-examples', f), 'utf8'), source: `spec-examples/${f}` });
  }
  for (const [tool, args] of [['runc', []], ['runc', ['--rootless']], ['crun', []]] as [string, string[]][]) {
    const text = toolSpec(tool, args);
    if (text) docs.push({ kind: 'runtime-config', text, source: `${tool} spec ${args.join(' ')}` });
  }
  docs.push({ kind: 'runtime-config', text: JSON.stringify(dockerLike(), null, 2), source: 'docker-like config with seccomp' });
  return docs;
}

export const benchmark: Benchmark = {
  name: 'runtime-spec-validate',
  description: "documents/second: @ocikit/runtime-spec validate() vs ajv on runtime-spec's own JSON schemas (target: ours >= 0.5x)",
  async run() {
    const upstream = upstreamValidators();
    // Time only documents both sides accept: a like-for-like comparison.
    const all = documents();
    const docs = all.filter((d) => validate(d.kind, d.text).valid && upstream[d.kind]!(JSON.parse(d.text)));
    console.log(`   documents: ${docs.length} accepted by both of ${all.length} (the others use fields or values newer than the 1.0.2 upstream schema)`);
    await compareValidators({
      name: 'runtime-spec validate',
      ours: { label: '@ocikit/runtime-spec validate', valid: (kind, input) => validate(kind, input).valid },
      theirs: { label: 'ajv-draft-04(upstream)', valid: (kind, value) => upstream[kind]!(value) },
      docs,
      repeat: 400,
    });
  },
};
