import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { validate, ConfigBuilder, LINUX_CAPABILITIES, type RuntimeSpecKind, type HookName, type LinuxNamespaceType } from '../index.js';

const KINDS: RuntimeSpecKind[] = ['runtime-config', 'runtime-state', 'runtime-features'];

/** JSON values shaped like runtime documents, so that many reach the meaning checks. */
const configLike = fc.record(
  {
    ociVersion: fc.oneof(fc.constantFrom('1.3.0', '1.0.0', '0.5.0-dev', '2.0.0', 'x'), fc.string()),
    root: fc.record({ path: fc.oneof(fc.constant('rootfs'), fc.string()), readonly: fc.boolean() }, { requiredKeys: ['path'] }),
    hostname: fc.string(),
    process: fc.record(
      {
        cwd: fc.oneof(fc.constant('/'), fc.string()),
        args: fc.array(fc.string(), { maxLength: 3 }),
        env: fc.array(fc.string(), { maxLength: 3 }),
        user: fc.record({ uid: fc.nat(), gid: fc.nat() }, { requiredKeys: [] }),
        rlimits: fc.array(fc.record({ type: fc.constantFrom('RLIMIT_NOFILE', 'RLIMIT_CORE', 'RLIMIT_X'), soft: fc.nat(), hard: fc.nat() }), { maxLength: 3 }),
        capabilities: fc.record({ effective: fc.array(fc.constantFrom('CAP_KILL', 'CAP_CHOWN', 'CAP_NOPE')), permitted: fc.array(fc.constantFrom('CAP_KILL', 'CAP_CHOWN')), ambient: fc.array(fc.constantFrom('CAP_KILL')) }, { requiredKeys: [] }),
      },
      { requiredKeys: ['cwd'] },
    ),
    mounts: fc.array(fc.record({ destination: fc.oneof(fc.constant('/x'), fc.string()), type: fc.string(), uidMappings: fc.constant([{ containerID: 0, hostID: 1, size: 1 }]) }, { requiredKeys: ['destination'] }), { maxLength: 3 }),
    linux: fc.record(
      {
        namespaces: fc.array(fc.record({ type: fc.constantFrom('pid', 'network', 'uts', 'user', 'time', 'bogus'), path: fc.string() }, { requiredKeys: ['type'] }), { maxLength: 4 }),
        sysctl: fc.dictionary(fc.constantFrom('net.a', 'kernel.shmmax', 'vm.x'), fc.string()),
        uidMappings: fc.array(fc.record({ containerID: fc.nat(), hostID: fc.nat(), size: fc.nat() }), { maxLength: 2 }),
        timeOffsets: fc.dictionary(fc.string(), fc.record({ secs: fc.integer() })),
        resources: fc.record({ memory: fc.record({ limit: fc.integer(), swap: fc.integer(), reservation: fc.integer() }, { requiredKeys: [] }) }, { requiredKeys: [] }),
        netDevices: fc.dictionary(fc.string(), fc.record({ name: fc.string() }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    ),
    windows: fc.record({ layerFolders: fc.array(fc.string(), { maxLength: 2 }), hyperv: fc.constant({}) }, { requiredKeys: [] }),
    annotations: fc.dictionary(fc.string(), fc.string()),
  },
  { requiredKeys: ['ociVersion'] },
);

describe('validate never throws', () => {
  it('on deeply nested parsed values, where the schema allows any JSON or unknown properties', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const spec = { ociVersion: '1.3.0', root: { path: '\\\\?\\Volume{ec84d99e-3f02-11e7-ac6c-00155d7682cf}\\' }, windows: { layerFolders: ['C:\\l'], credentialSpec: deep }, x: deep };
    const r = validate('runtime-config', spec);
    expect(r.errors).toEqual([]);
    expect(validate('runtime-state', deep).valid).toBe(false);
    expect(validate('runtime-features', { ociVersionMin: '1.0.0', ociVersionMax: '1.0.0', linux: deep }).valid).toBe(false);
  });

  it.each(KINDS)('%s: arbitrary JSON values', (kind) => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = validate(kind, v);
        expect(r.valid).toBe(r.errors.length === 0);
      }),
      { numRuns: 500 },
    );
  });

  it.each(KINDS)('%s: arbitrary text', (kind) => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (t) => {
        const r = validate(kind, t);
        expect(typeof r.valid).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('config-shaped values reach every check without throwing', () => {
    let reached = 0;
    fc.assert(
      fc.property(configLike, (v) => {
        const r = validate('runtime-config', v, { level: 'MAY' });
        // Past the schema tier: the meaning checks ran on this one.
        if (r.errors.every((e) => !e.code.startsWith('SCHEMA_'))) reached++;
        for (const f of [...r.errors, ...r.warnings]) expect(f.path === '' || f.path.startsWith('/')).toBe(true);
      }),
      { numRuns: 1000 },
    );
    expect(reached).toBeGreaterThan(20);
  });
});

const safeName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);
const absPath = fc.array(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), { minLength: 1, maxLength: 4 }).map((p) => `/${p.join('/')}`);
const NS: LinuxNamespaceType[] = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'];
const HOOKS: HookName[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

type Edit = (b: ConfigBuilder) => void;
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 3 }).map((a) => (b: ConfigBuilder) => void b.args(...a)),
  fc.tuple(safeName, fc.string()).map(([k, v]) => (b: ConfigBuilder) => void b.env(k, v)),
  absPath.map((p) => (b: ConfigBuilder) => void b.cwd(p)),
  fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 }), fc.array(fc.nat({ max: 65535 }), { maxLength: 3 })).map(([u, g, a]) => (b: ConfigBuilder) => void b.user(u, g, a)),
  fc.string().map((h) => (b: ConfigBuilder) => void b.hostname(h)),
  fc.tuple(absPath, absPath).map(([d, s]) => (b: ConfigBuilder) => void b.mount(d, s)),
  absPath.map((d) => (b: ConfigBuilder) => void b.removeMount(d)),
  fc.tuple(fc.constantFrom(...NS), fc.option(absPath, { nil: undefined })).map(([t, p]) => (b: ConfigBuilder) => void b.namespace(t, p)),
  fc.constantFrom(...NS).map((t) => (b: ConfigBuilder) => {
    try {
      b.removeNamespace(t);
    } catch {
      // refused while a setting depends on it: the builder keeps the config valid
    }
  }),
  fc.constantFrom(...LINUX_CAPABILITIES).map((c) => (b: ConfigBuilder) => void b.addCapability(c)),
  fc.constantFrom(...LINUX_CAPABILITIES).map((c) => (b: ConfigBuilder) => void b.dropCapability(c)),
  fc.tuple(fc.constantFrom('RLIMIT_NOFILE', 'RLIMIT_CORE', 'RLIMIT_NPROC'), fc.nat(), fc.nat()).map(([t, x, y]) => (b: ConfigBuilder) => void b.rlimit(t, Math.min(x, y), Math.max(x, y))),
  fc.tuple(fc.constantFrom(...HOOKS), absPath, fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined })).map(([n, p, t]) => (b: ConfigBuilder) => void b.hook(n, t === undefined ? { path: p } : { path: p, timeout: t })),
  fc.tuple(fc.string({ minLength: 1 }), fc.string()).map(([k, v]) => (b: ConfigBuilder) => void b.annotation(k, v)),
  fc.boolean().map((t) => (b: ConfigBuilder) => void b.terminal(t)),
);

describe('configurations from the builder always validate', () => {
  it.each([false, true])('linux, rootless %s', (rootless) => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 12 }), (edits) => {
        const b = new ConfigBuilder({ os: 'linux', rootless, hostUid: 1000, hostGid: 1000 });
        for (const e of edits) e(b);
        const r = validate('runtime-config', b.build(), { level: 'MUST', forStart: true });
        expect(r.errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects edits that would break the configuration', () => {
    const b = new ConfigBuilder();
    expect(() => b.cwd('relative')).toThrow(/absolute/);
    expect(() => b.env('A=B', 'c')).toThrow(/without "="/);
    expect(() => b.rlimit('RLIMIT_NOFILE', 10, 1)).toThrow(/soft <= hard/);
    expect(() => b.rlimit('RLIMIT_BOGUS', 1, 1)).toThrow(/getrlimit/);
    expect(() => b.addCapability('CAP_FLY' as never)).toThrow(/capabilities/);
    expect(() => b.mount('data', '/srv')).toThrow(/absolute/);
    expect(() => b.hook('poststop', { path: '/x', timeout: 0 })).toThrow(/greater than zero/);
    expect(() => b.removeNamespace('uts')).toThrow(/hostname/);
    expect(() => b.args()).toThrow(/executable/);
    try {
      b.user(-1, 0);
    } catch (e) {
      expect((e as { code: string }).code).toBe('INVALID_ARGUMENT');
    }
  });
});
