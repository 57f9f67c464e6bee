import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigBuilder,
  defaultConfig,
  downgradeConfig,
  parseSpecVersion,
  validate,
  RuntimeSpecError,
  RuntimeSpecErrorCode,
  SPEC_VERSIONS,
  CONFIG_FIELD_VERSIONS,
  type Spec,
  type Finding,
} from '../index.js';
import { fixtureFiles } from '../test-support/fixtures.js';

const tooNew = (spec: Spec): Finding[] => validate('runtime-config', spec).warnings.filter((w) => w.code === 'SpecVersionFieldTooNew');
const declare = (spec: Spec, v: string): Spec => ({ ...structuredClone(spec), ociVersion: v });

/** A 1.3.0 Linux configuration with one field (or value) of each release after 1.0.0. */
function kitchenSink(): Spec {
  const spec = new ConfigBuilder({ os: 'linux' }).terminal(false).build();
  const p = spec.process!;
  p.user = { uid: 0, gid: 0, umask: 0o022 }; // 1.0.2
  p.scheduler = { policy: 'SCHED_OTHER', nice: 1 }; // 1.1.0
  p.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 4 }; // 1.1.0
  p.execCPUAffinity = { initial: '0', final: '0-1' }; // 1.2.1
  spec.domainname = 'example.com'; // 1.1.0
  spec.hooks = { createRuntime: [{ path: '/bin/true' }], poststop: [{ path: '/bin/true' }] }; // 1.0.2, 1.0.0
  const linux = spec.linux!;
  linux.namespaces!.push({ type: 'user' }, { type: 'cgroup' }, { type: 'time' }); // time: 1.1.0
  linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  linux.timeOffsets = { monotonic: { secs: 1, nanosecs: 0 } }; // 1.1.0
  spec.mounts!.push({
    destination: '/data',
    type: 'bind',
    source: '/srv',
    options: ['rbind', 'idmap'], // idmap: 1.2.0
    uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], // 1.1.0
    gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
  });
  linux.resources = {
    ...linux.resources,
    memory: { limit: 1 << 30, useHierarchy: true, checkBeforeUpdate: true }, // 1.0.2, 1.1.0
    cpu: { shares: 1024, idle: 0, burst: 1000 }, // 1.1.0
    unified: { 'io.weight': '100' }, // 1.1.0
    rdma: { mlx5_1: { hcaHandles: 3 } }, // 1.0.2
  };
  linux.personality = { domain: 'LINUX' }; // 1.0.2
  linux.seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1, // 1.1.0
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64'], // -, 1.1.0, 1.2.1
    flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'], // 1.0.2, 1.1.0
    syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }], // errnoRet: 1.1.0
  };
  linux.intelRdt = { closID: 'c1', l3CacheSchema: 'L3:0=ff', schemata: ['MB:0=70'], enableMonitoring: true }; // 1.0.2, 1.0.0, 1.3.0, 1.3.0
  linux.netDevices = { eth1: {} }; // 1.3.0
  linux.memoryPolicy = { mode: 'MPOL_INTERLEAVE', nodes: '0' }; // 1.3.0
  return spec;
}

/** Where the kitchen sink holds what each release introduced. */
const NEW_IN: Record<(typeof SPEC_VERSIONS)[number], string[]> = {
  '1.0.0': [],
  '1.0.1': [],
  '1.0.2': ['/process/user/umask', '/hooks/createRuntime', '/linux/personality', '/linux/resources/memory/useHierarchy', '/linux/resources/rdma', '/linux/seccomp/flags', '/linux/intelRdt/closID'],
  '1.1.0': [
    '/domainname',
    '/process/scheduler',
    '/process/ioPriority',
    '/mounts/7/uidMappings',
    '/mounts/7/gidMappings',
    '/linux/timeOffsets',
    '/linux/resources/memory/checkBeforeUpdate',
    '/linux/resources/cpu/idle',
    '/linux/resources/cpu/burst',
    '/linux/resources/unified',
    '/linux/seccomp/defaultErrnoRet',
    '/linux/seccomp/syscalls/0/errnoRet',
    '/linux/namespaces/7',
    '/linux/seccomp/architectures/1',
    '/linux/seccomp/flags/1',
  ],
  '1.2.0': ['/mounts/7/options/1'],
  '1.2.1': ['/process/execCPUAffinity', '/linux/seccomp/architectures/2'],
  '1.3.0': ['/linux/netDevices', '/linux/memoryPolicy', '/linux/intelRdt/schemata', '/linux/intelRdt/enableMonitoring'],
};

/** What downgrading the kitchen sink to `v` leaves out: everything newer, each once (not inside another). */
function expectedDrops(v: (typeof SPEC_VERSIONS)[number]): string[] {
  const all = SPEC_VERSIONS.slice(SPEC_VERSIONS.indexOf(v) + 1).flatMap((w) => NEW_IN[w]);
  return all.filter((p) => !all.some((q) => p.startsWith(`${q}/`))).sort();
}

describe('SPEC_VERSIONS', () => {
  it('lists the v1 release tags of opencontainers/runtime-spec, oldest first', () => {
    expect(SPEC_VERSIONS).toEqual(['1.0.0', '1.0.1', '1.0.2', '1.1.0', '1.2.0', '1.2.1', '1.3.0']);
  });

  it('every table row dates from a release after 1.0.0 and names a spec section', () => {
    for (const row of CONFIG_FIELD_VERSIONS) {
      expect(SPEC_VERSIONS.slice(1)).toContain(row.since);
      expect(row.ref).toMatch(/^https:\/\/github\.com\/opencontainers\/runtime-spec\/blob\/v1\.3\.0\/config(-[a-z]+)?\.md/);
    }
  });
});

describe('downgradeConfig', () => {
  const sink = kitchenSink();

  it('the kitchen sink is a valid 1.3.0 document with nothing too new', () => {
    const r = validate('runtime-config', sink);
    expect(r.errors).toEqual([]);
    expect(tooNew(sink)).toEqual([]);
  });

  it.each(SPEC_VERSIONS.map((v) => [v]))('to %s: drops exactly the fields newer than it, and validates clean under it', (v) => {
    const { config, dropped } = downgradeConfig(sink, v);
    expect(config.ociVersion).toBe(v);
    expect(dropped.map((d) => d.path).sort()).toEqual(expectedDrops(v));
    const r = validate('runtime-config', config);
    expect(r.errors).toEqual([]);
    expect(tooNew(config)).toEqual([]);
    // Validation and downgrade read one table: every warning the input draws
    // under v lies in something dropped, and every drop answers a warning.
    const warned = tooNew(declare(sink, v)).map((w) => w.path);
    for (const w of warned) expect(dropped.some((d) => w === d.path || w.startsWith(`${d.path}/`))).toBe(true);
    for (const d of dropped) expect(warned.some((w) => w === d.path || w.startsWith(`${d.path}/`))).toBe(true);
  });

  it('leaves a 1.3.0 document as it is, and never modifies its input', () => {
    const before = structuredClone(sink);
    const { config, dropped } = downgradeConfig(sink, '1.3.0');
    expect(config).toEqual(sink);
    expect(config).not.toBe(sink);
    expect(dropped).toEqual([]);
    downgradeConfig(sink, '1.0.0');
    expect(sink).toEqual(before);
  });

  it('keeps what each release already had (1.0.2 hooks and umask; 1.1.0 unified and listenerPath)', () => {
    const at102 = downgradeConfig(sink, '1.0.2').config;
    expect(at102.hooks?.createRuntime).toEqual([{ path: '/bin/true' }]);
    expect(at102.process?.user?.umask).toBe(0o022);
    expect(at102.linux?.seccomp?.flags).toEqual(['SECCOMP_FILTER_FLAG_LOG']);
    const withListener = declare(sink, '1.3.0');
    withListener.linux!.seccomp!.listenerPath = '/run/agent.sock';
    const at110 = downgradeConfig(withListener, '1.1.0').config;
    expect(at110.linux?.resources?.unified).toEqual({ 'io.weight': '100' });
    expect(at110.linux?.seccomp?.listenerPath).toBe('/run/agent.sock');
    expect(downgradeConfig(withListener, '1.0.2').config.linux?.seccomp?.listenerPath).toBeUndefined();
  });

  it('the default Linux configuration (runc spec) is expressible in every release unchanged', () => {
    for (const v of SPEC_VERSIONS) {
      for (const rootless of [false, true]) {
        const { config, dropped } = downgradeConfig(defaultConfig({ rootless }), v);
        expect(dropped).toEqual([]);
        expect(config).toEqual(defaultConfig({ rootless, ociVersion: v }));
      }
    }
  });

  describe('every runtime-config example of the spec, to every release', () => {
    const files = fixtureFiles('spec-examples').filter((f) => path.basename(f).startsWith('runtime-config--'));
    it.each(files.map((f) => [path.basename(f, '.json'), f]))('%s', (_n, file) => {
      const spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
      for (const v of SPEC_VERSIONS) {
        let out;
        try {
          out = downgradeConfig(spec, v);
        } catch (err) {
          expect(err).toBeInstanceOf(RuntimeSpecError);
          expect((err as RuntimeSpecError).code).toBe(RuntimeSpecErrorCode.NotExpressible);
          // Refused only when the input really uses something too new for v.
          expect(tooNew(declare(spec, v)).length).toBeGreaterThan(0);
          continue;
        }
        expect(validate('runtime-config', out.config).errors).toEqual([]);
        expect(tooNew(out.config)).toEqual([]);
      }
    });
  });

  it('refuses what cannot be left out without changing the configuration', () => {
    const notify = declare(sink, '1.3.0');
    notify.linux!.seccomp!.syscalls!.push({ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' });
    notify.linux!.seccomp!.listenerPath = '/run/agent.sock';
    expect(() => downgradeConfig(notify, '1.0.2')).toThrow(expect.objectContaining({ code: 'NOT_EXPRESSIBLE' }));
    expect(downgradeConfig(notify, '1.1.0').config.linux?.seccomp?.syscalls?.[1]?.action).toBe('SCMP_ACT_NOTIFY');
    const rro = declare(sink, '1.3.0');
    rro.mounts!.push({ destination: '/ro', type: 'bind', source: '/srv', options: ['rbind', 'rro'] });
    expect(() => downgradeConfig(rro, '1.0.2')).toThrow(expect.objectContaining({ code: 'NOT_EXPRESSIBLE' }));
    expect(() => downgradeConfig(defaultConfig({ os: 'freebsd' }), '1.2.1')).toThrow(expect.objectContaining({ code: 'NOT_EXPRESSIBLE' }));
    expect(() => downgradeConfig(defaultConfig({ os: 'vm' }), '1.0.1')).toThrow(expect.objectContaining({ code: 'NOT_EXPRESSIBLE' }));
    expect(downgradeConfig(defaultConfig({ os: 'vm' }), '1.0.2').config.vm).toBeDefined();
  });

  it.each([['1.4.0'], ['1.0'], ['v1.0.2'], ['1.0.2-dev'], ['1.1.0-rc.1'], [''], ['0.5.0']])('refuses %j with UNSUPPORTED_VERSION', (v) => {
    expect(() => downgradeConfig(sink, v)).toThrow(expect.objectContaining({ name: 'RuntimeSpecError', code: 'UNSUPPORTED_VERSION' }));
    expect(() => parseSpecVersion(v)).toThrow(RuntimeSpecError);
  });
});

describe('validation dates fields by the same table', () => {
  // Fields the hard-coded checks dated wrongly before the table.
  it.each([
    ['/linux/resources/unified', '1.0.2', (s: Spec) => void (s.linux!.resources = { unified: { 'io.weight': '100' } })],
    ['/linux/seccomp/listenerPath', '1.0.2', (s: Spec) => void (s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/a.sock' })],
    ['/process/execCPUAffinity', '1.2.0', (s: Spec) => void (s.process!.execCPUAffinity = { initial: '0' })],
    ['/linux/netDevices', '1.2.0', (s: Spec) => void (s.linux!.netDevices = { eth1: {} })],
    ['/domainname', '1.0.2', (s: Spec) => void (s.domainname = 'example.com')],
  ])('%s is too new for %s', (pointer, v, edit) => {
    const spec = defaultConfig({ ociVersion: v });
    edit(spec);
    expect(tooNew(spec).map((w) => w.path)).toEqual([pointer]);
  });
});
