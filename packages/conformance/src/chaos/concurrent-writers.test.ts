/**
 * Concurrent writers never lose an update: several `ocikit pack` processes
 * into one layout directory or one oci-archive, with different refs and
 * with the same ref. Afterwards the layout is valid (`validate --deep`),
 * every ref that was written is there, and umoci and skopeo read it.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describeWithPeers } from '@ocikit/testkit';
import { runCli } from '../test-support/run-cli.js';
import { scratchDir } from '../test-support/scratch.js';
import { layoutErrors, refsOf, ROUNDS, scratchIn, writeBundle } from './fixtures.js';

const WRITERS = 3;
let tmp: string;
const bundles: string[] = [];
beforeAll(() => {
  tmp = scratchDir('chaos-concurrent');
  for (let i = 0; i < WRITERS; i++) bundles.push(writeBundle(path.join(tmp, `bundle${i}`), i, 100, 1));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function packAll(target: string, refs: string[], extra: string[] = []): Promise<void> {
  const results = await Promise.all(bundles.map((b, i) => runCli(['pack', ...extra, '--image', `${target}:${refs[i]}`, b])));
  for (const r of results) expect([r.code, r.stderr]).toEqual([0, '']);
}

/** Check with the tools a user would reach for that the layout holds each ref. */
function peersRead(layout: string, refs: string[]): void {
  const listed = execFileSync('umoci', ['ls', '--layout', layout]).toString().trim().split('\n').sort();
  expect(listed).toEqual([...new Set(refs)].sort());
  for (const ref of new Set(refs)) execFileSync('skopeo', ['inspect', '--raw', `oci:${layout}:${ref}`]);
}

describeWithPeers(['umoci', 'skopeo', 'tar'], 'chaos: concurrent writers', () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round + 1}: into one layout directory, different refs and the same ref`, async () => {
      const layout = path.join(tmp, `layout-${round}`);
      await packAll(layout, ['a', 'b', 'c']);
      expect(await refsOf(layout)).toEqual(['a', 'b', 'c']);
      await packAll(layout, ['same', 'same', 'same']);
      expect(await refsOf(layout)).toEqual(['a', 'b', 'c', 'same']);
      expect(await layoutErrors(layout, true)).toBe('');
      expect(scratchIn(layout)).toEqual([]);
      peersRead(layout, ['a', 'b', 'c', 'same']);
    });

    it(`round ${round + 1}: into one oci-archive, different refs and the same ref`, async () => {
      const dir = path.join(tmp, `archive-${round}`);
      mkdirSync(dir);
      const archive = path.join(dir, 'image.tar');
      await packAll(archive, ['a', 'b', 'c']);
      await packAll(archive, ['same', 'same', 'same']);
      const extracted = path.join(dir, 'extracted');
      mkdirSync(extracted);
      execFileSync('tar', ['-xf', archive, '-C', extracted]);
      expect(await refsOf(extracted)).toEqual(['a', 'b', 'c', 'same']);
      expect(await layoutErrors(archive, true)).toBe('');
      expect(scratchIn(dir)).toEqual([]);
      peersRead(extracted, ['a', 'b', 'c', 'same']);
    });
  }
});
