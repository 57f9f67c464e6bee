/**
 * changeOciArchive: an oci-archive changed in place is rewritten whole when
 * the change succeeds, and left byte for byte as it was when it throws; no
 * scratch is left beside it either way (the lock file stays, as every
 * archive writer's does).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { rejection, testScratch } from '@ocikit/testkit';
import { writeOciArchive } from '../pack/archive.js';
import { openLayout } from './archive.js';
import { Layout } from './layout.js';
import { changeOciArchive } from './target.js';

const s = testScratch('change-archive');

async function makeArchive(name: string): Promise<string> {
  const layout = await Layout.create(path.join(s.dir, `${name}-src`));
  const blob = await layout.writeJson({ hello: name }, 'application/vnd.example+json');
  await layout.setRef('v1', blob);
  const file = path.join(s.dir, `${name}.tar`);
  writeOciArchive(layout.dir, file, 0);
  return file;
}

describe('changeOciArchive', () => {
  it('writes the changed layout back as the archive, entries dated as asked', async () => {
    const file = await makeArchive('ok');
    const added = await changeOciArchive(file, 1_700_000_000, async (layout) => {
      const d = await layout.writeJson({ added: true }, 'application/vnd.example+json');
      await layout.setRef('v2', d);
      return d;
    });
    const opened = await openLayout(file);
    try {
      expect((await opened.layout.listRefs()).map((r) => [r.name, r.descriptor.digest])).toEqual([
        ['v1', expect.any(String)],
        ['v2', added.digest],
      ]);
    } finally {
      opened.close();
    }
    expect(readdirSync(s.dir).filter((n) => n.startsWith('.') && !n.endsWith('.ocikit-lock'))).toEqual([]);
  });

  it('leaves the archive as it was when the change throws', async () => {
    const file = await makeArchive('failed');
    const before = readFileSync(file);
    const err = await rejection(
      changeOciArchive(file, 1_700_000_000, async (layout) => {
        await layout.setRef('v2', await layout.writeJson({ half: true }, 'application/vnd.example+json'));
        throw new Error('the change failed');
      }),
    );
    expect(err.message).toBe('the change failed');
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(s.dir).filter((n) => n.startsWith('.') && !n.endsWith('.ocikit-lock'))).toEqual([]);
  });

  it('refuses a path that is no archive file (LAYOUT_NOT_FOUND)', async () => {
    expect(await rejection(changeOciArchive(path.join(s.dir, 'missing.tar'), 0, () => Promise.resolve(undefined)))).toMatchObject({ code: 'LAYOUT_NOT_FOUND' });
  });
});
