/**
 * registries.d as containers/image reads it (docker/registries_d.go,
 * containers-registries.d.5.md): real files in a scratch directory.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rejection, testScratch } from '@ocikit/testkit';
import { SignatureErrorCode } from '../errors.js';
import {
  DEFAULT_ROOT_LOOKASIDE_DIR,
  LookasideSource,
  MAX_REGISTRIES_D_FILE_BYTES,
  SYSTEM_REGISTRIES_D,
  USER_REGISTRIES_D,
  loadRegistriesD,
  parseLookasideReference,
  parseRegistriesDFile,
  readRegistriesD,
  registriesDirPath,
  resolveLookasideBase,
  useSigstoreAttachments,
} from './registries-d.js';

const scratch = testScratch('registries-d');

/** A new registries.d directory holding `files` (name -> YAML text). */
function registriesD(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(scratch.dir, 'registries.d-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const read = (reference: string, files: Record<string, string>) => readRegistriesD(registriesD(files)).then((c) => resolveLookasideBase(c, reference));
const write = (reference: string, files: Record<string, string>) => readRegistriesD(registriesD(files)).then((c) => resolveLookasideBase(c, reference, { write: true }));

describe('scopes of a reference', () => {
  it('lists the identity, the repository, its parents, the host, then wildcard domains', () => {
    const ref = parseLookasideReference('registry.example.com:5000/team/sub/app:1.0');
    expect(ref).toMatchObject({ domain: 'registry.example.com:5000', path: 'team/sub/app', identity: 'registry.example.com:5000/team/sub/app:1.0' });
    expect(ref.namespaces).toEqual([
      'registry.example.com:5000/team/sub/app',
      'registry.example.com:5000/team/sub',
      'registry.example.com:5000/team',
      'registry.example.com:5000',
      '*.example.com',
      '*.com',
    ]);
  });

  it('expands familiar names, adds latest, keeps a digest, and refuses a tag with a digest', async () => {
    expect(parseLookasideReference('busybox')).toMatchObject({ name: 'docker.io/library/busybox', path: 'library/busybox', identity: 'docker.io/library/busybox:latest' });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseLookasideReference(`quay.io/x/y@${digest}`).identity).toBe(`quay.io/x/y@${digest}`);
    expect(await rejection(() => parseLookasideReference(`quay.io/x/y:1@${digest}`))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
    expect(await rejection(() => parseLookasideReference('Not/A/Reference'))).toMatchObject({ code: SignatureErrorCode.InvalidArgument });
  });
});

describe('choosing the lookaside URL', () => {
  const layered = {
    'a.yaml': `
docker:
  registry.example.com:
    lookaside: https://host.example/lookaside
  registry.example.com/dept:
    lookaside: https://dept.example/lookaside
    lookaside-staging: file:///srv/dept-staging
`,
    'b.yaml': `
docker:
  registry.example.com/dept/app:branch:
    lookaside: http://localhost:4242/lookaside
  "*.example.com":
    lookaside: https://wildcard.example/lookaside
default-docker:
  lookaside-staging: file:///srv/common-staging
`,
  };

  it('takes the most specific scope: the image, then the repository and its namespaces, then the host', async () => {
    expect(await read('registry.example.com/dept/app:branch', layered)).toMatchObject({ url: 'http://localhost:4242/lookaside', scope: 'registry.example.com/dept/app:branch', key: 'lookaside' });
    expect(await read('registry.example.com/dept/app:other', layered)).toMatchObject({ url: 'https://dept.example/lookaside', scope: 'registry.example.com/dept', source: LookasideSource.Docker });
    expect(await read('registry.example.com/elsewhere/app:1', layered)).toMatchObject({ url: 'https://host.example/lookaside', scope: 'registry.example.com' });
    expect((await read('registry.example.com/dept/app:1', layered)).file).toMatch(/a\.yaml$/);
  });

  it('falls back to wildcard domains, then default-docker', async () => {
    expect(await read('other.example.com/app:1', layered)).toMatchObject({ url: 'https://wildcard.example/lookaside', scope: '*.example.com' });
    // default-docker has only a staging URL: nothing to read from, so the built-in directory.
    expect(await read('quay.io/app:1', layered)).toMatchObject({ source: LookasideSource.BuiltIn });
    expect(await write('quay.io/app:1', layered)).toMatchObject({ url: 'file:///srv/common-staging', source: LookasideSource.DefaultDocker, key: 'lookaside-staging' });
  });

  it('writes to lookaside-staging when set, else to lookaside', async () => {
    expect(await write('registry.example.com/dept/app:other', layered)).toMatchObject({ url: 'file:///srv/dept-staging', key: 'lookaside-staging' });
    expect(await write('registry.example.com/elsewhere/app:1', layered)).toMatchObject({ url: 'https://host.example/lookaside', key: 'lookaside' });
  });

  it('passes over a scope that names no URL for the purpose, as containers/image does', async () => {
    const files = {
      'x.yaml': `
docker:
  r.example/team:
    lookaside: file:///read-here
  r.example/team/app:
    lookaside-staging: file:///write-here
`,
    };
    expect(await read('r.example/team/app:1', files)).toMatchObject({ url: 'file:///read-here', scope: 'r.example/team' });
    expect(await write('r.example/team/app:1', files)).toMatchObject({ url: 'file:///write-here', scope: 'r.example/team/app' });
  });

  it('reads the older sigstore and sigstore-staging spellings, the newer ones first', async () => {
    const legacy = { 'old.yaml': 'docker:\n  old.example:\n    sigstore: https://old.example/sigs\n    sigstore-staging: file:///old-staging\n' };
    expect(await read('old.example/app:1', legacy)).toMatchObject({ url: 'https://old.example/sigs', key: 'sigstore' });
    expect(await write('old.example/app:1', legacy)).toMatchObject({ url: 'file:///old-staging', key: 'sigstore-staging' });
    const both = {
      'both.yaml': `
default-docker:
  lookaside: https://new.example
  sigstore: https://old.example
  lookaside-staging: file:///new-staging
  sigstore-staging: file:///old-staging
`,
    };
    expect(await read('any.example/app:1', both)).toMatchObject({ url: 'https://new.example', key: 'lookaside', source: LookasideSource.DefaultDocker });
    expect(await write('any.example/app:1', both)).toMatchObject({ url: 'file:///new-staging', key: 'lookaside-staging' });
    // A staging URL in the old spelling still comes before the reading URL in the new one.
    const mixed = { 'm.yaml': 'default-docker:\n  lookaside: https://new.example\n  sigstore-staging: file:///old-staging\n' };
    expect(await write('any.example/app:1', mixed)).toMatchObject({ url: 'file:///old-staging', key: 'sigstore-staging' });
  });

  it('uses the built-in directory when nothing is configured: root and other users', async () => {
    const empty = await readRegistriesD(path.join(scratch.dir, 'absent'));
    expect(empty.docker.size).toBe(0);
    expect(resolveLookasideBase(empty, 'busybox', { euid: 0 })).toEqual({ url: `file://${DEFAULT_ROOT_LOOKASIDE_DIR}`, source: LookasideSource.BuiltIn });
    expect(resolveLookasideBase(empty, 'busybox', { euid: 1000, home: '/home/u' }).url).toBe('file:///home/u/.local/share/containers/sigstore');
  });

  it('matches a registry with a port only by host and port, and its domain by wildcard', async () => {
    const files = { 'p.yaml': 'docker:\n  registry.example.com:\n    lookaside: file:///no-port\n  "*.example.com":\n    lookaside: file:///wildcard\n' };
    expect(await read('registry.example.com:5000/app:1', files)).toMatchObject({ url: 'file:///wildcard' });
    expect(await read('registry.example.com/app:1', files)).toMatchObject({ url: 'file:///no-port' });
  });

  it('reads use-sigstore-attachments from the most specific scope that sets it', async () => {
    const config = await readRegistriesD(
      registriesD({
        's.yaml': 'default-docker:\n  use-sigstore-attachments: true\ndocker:\n  r.example/team:\n    use-sigstore-attachments: false\n  r.example/team/app:\n    lookaside: file:///x\n',
      }),
    );
    expect(useSigstoreAttachments(config, 'r.example/team/app:1')).toBe(false);
    expect(useSigstoreAttachments(config, 'r.example/other:1')).toBe(true);
    expect(useSigstoreAttachments(await readRegistriesD(path.join(scratch.dir, 'absent')), 'r.example/other:1')).toBe(false);
  });
});

describe('reading the directory', () => {
  it('merges every .yaml file and ignores other names', async () => {
    const dir = registriesD({
      'one.yaml': 'docker:\n  a.example:\n    lookaside: file:///a\n',
      'two.yaml': 'docker:\n  b.example:\n    lookaside: file:///b\n',
      'three.yml': 'docker:\n  c.example:\n    lookaside: file:///c\n',
      'notes.txt': 'not yaml: [',
      'empty.yaml': '',
      'comment.yaml': '# nothing here\n',
    });
    const config = await readRegistriesD(dir);
    expect([...config.docker.keys()].sort()).toEqual(['a.example', 'b.example']);
    expect(config.files.map((f) => path.basename(f))).toEqual(['comment.yaml', 'empty.yaml', 'one.yaml', 'two.yaml']);
  });

  it('refuses a scope defined in two files, naming both', async () => {
    const dir = registriesD({
      'one.yaml': 'docker:\n  a.example/team:\n    lookaside: file:///a\n',
      'two.yaml': 'docker:\n  a.example/team:\n    lookaside-staging: file:///b\n',
    });
    const err = await rejection(readRegistriesD(dir));
    expect(err).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
    expect(err.message).toContain('"a.example/team"');
    expect(err.message).toContain(path.join(dir, 'one.yaml'));
    expect(err.message).toContain(path.join(dir, 'two.yaml'));
  });

  it('refuses default-docker in two files', async () => {
    const dir = registriesD({ 'one.yaml': 'default-docker:\n  lookaside: file:///a\n', 'two.yaml': 'default-docker:\n  lookaside: file:///b\n' });
    const err = await rejection(readRegistriesD(dir));
    expect(err).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
    expect(err.message).toMatch(/"default-docker" is defined both in .*one\.yaml.* and .*two\.yaml/);
  });

  it.each([
    ['broken YAML', 'docker:\n  a.example: [\n'],
    ['a duplicate key', 'docker:\n  a.example:\n    lookaside: file:///a\n    lookaside: file:///b\n'],
    ['a top-level sequence', '- docker\n'],
    ['a scalar section', 'docker:\n  a.example: file:///a\n'],
    ['docker as a sequence', 'docker:\n  - a.example\n'],
    ['a URL that is not a string', 'default-docker:\n  lookaside: [1, 2]\n'],
    ['use-sigstore-attachments not a boolean', 'default-docker:\n  use-sigstore-attachments: "yes"\n'],
    ['an alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 6 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\n`],
  ])('refuses %s with one error naming the file', async (_what, text) => {
    const dir = registriesD({ 'ok.yaml': 'docker:\n  fine.example:\n    lookaside: file:///x\n', 'bad.yaml': text });
    const err = await rejection(readRegistriesD(dir));
    expect(err).toMatchObject({ name: 'SignatureError', code: SignatureErrorCode.ConfigInvalid });
    expect(err.message).toContain(path.join(dir, 'bad.yaml'));
    expect(err.message).not.toContain('\n');
  });

  it('ignores keys it does not know, and treats empty values as absent', () => {
    const parsed = parseRegistriesDFile('future-key: 1\ndocker:\n  a.example:\n    lookaside: ""\n    unknown: x\n  b.example:\n', 'f.yaml');
    expect(parsed.docker.get('a.example')).toEqual({});
    expect(parsed.docker.get('b.example')).toEqual({});
  });

  it('reads YAML merge keys, as Go yaml.v3 does', () => {
    const parsed = parseRegistriesDFile('base: &base\n  lookaside: https://l.example\ndocker:\n  a.example:\n    <<: *base\n    lookaside-staging: file:///s\n', 'f.yaml');
    expect(parsed.docker.get('a.example')).toEqual({ lookaside: 'https://l.example', lookasideStaging: 'file:///s' });
  });

  it('refuses a file over the size bound and a .yaml that is not a regular file', async () => {
    const big = registriesD({ 'big.yaml': `# ${'x'.repeat(MAX_REGISTRIES_D_FILE_BYTES.value)}\n` });
    const err = await rejection(readRegistriesD(big));
    expect(err).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
    expect(err.message).toContain('MAX_REGISTRIES_D_FILE_BYTES');
    writeFileSync(path.join(big, 'big.yaml'), '');
    mkdirSync(path.join(big, 'dir.yaml'));
    expect(await rejection(readRegistriesD(big))).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
  });

  it('refuses a registries.d path that is a file', async () => {
    const file = path.join(scratch.dir, 'file');
    writeFileSync(file, '');
    expect(await rejection(readRegistriesD(file))).toMatchObject({ code: SignatureErrorCode.ConfigInvalid });
  });

  it('uses the directory given, else the user directory when it exists, else the system one (never both)', async () => {
    const home = path.join(scratch.dir, 'home');
    mkdirSync(home);
    expect(await registriesDirPath({ registriesDir: '/given', home })).toBe('/given');
    expect(await registriesDirPath({ home })).toBe(SYSTEM_REGISTRIES_D);
    const user = path.join(home, USER_REGISTRIES_D);
    mkdirSync(user, { recursive: true });
    expect(await registriesDirPath({ home })).toBe(user);
    writeFileSync(path.join(user, 'mine.yaml'), 'docker:\n  mine.example:\n    lookaside: file:///mine\n');
    const config = await loadRegistriesD({ home });
    expect(config.dir).toBe(user);
    expect(resolveLookasideBase(config, 'mine.example/app:1').url).toBe('file:///mine');
  });
});
