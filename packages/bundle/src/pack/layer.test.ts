import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { walkDepthFirst, walkTree } from '../tree/walk.js';
import { TarReader, type TarEntry } from '../tar/reader.js';
import { scratch } from '../test-support/image.js';
import { ChunkPool } from './compress.js';
import { compareLayerPaths, tarChunks, type LayerItem } from './layer.js';

function entriesOf(chunks: Iterable<Buffer>): { entry: TarEntry; content: string }[] {
  const out: { entry: TarEntry; content: string }[] = [];
  const r = new TarReader({ entry: (entry) => void out.push({ entry, content: '' }), data: (c) => void (out[out.length - 1]!.content += c.toString()), end: () => {} });
  for (const c of chunks) r.write(Buffer.from(c));
  r.finish();
  return out;
}

describe('layer stream', () => {
  it('orders depth first, whiteouts before their siblings, parents before children (property)', () => {
    const name = fc.constantFrom('a', 'b', '.wh.a', 'a.b', 'a-b', 'z', '.wh.z');
    fc.assert(
      fc.property(fc.array(fc.array(name, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 20 }), (paths) => {
        const bufs = paths.map((p) => Buffer.from(p.join('/')));
        const sorted = [...bufs].sort(compareLayerPaths);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) {
            const a = sorted[i]!.toString();
            const b = sorted[j]!.toString();
            // A child never comes before its parent.
            expect(a.startsWith(`${b}/`)).toBe(false);
            // Among siblings, a whiteout never follows a non-whiteout.
            const [pa, na] = [a.slice(0, a.lastIndexOf('/') + 1), a.slice(a.lastIndexOf('/') + 1)];
            const [pb, nb] = [b.slice(0, b.lastIndexOf('/') + 1), b.slice(b.lastIndexOf('/') + 1)];
            if (pa === pb && !na.startsWith('.wh.')) expect(nb.startsWith('.wh.')).toBe(false);
          }
        }
      }),
    );
  });

  it('streams a tree in the same order as the sorted walk, across chunk boundaries, with a rootless owner mapped to root', () => {
    const s = scratch('layer-stream');
    try {
      const root = path.join(s.dir, 'r');
      mkdirSync(path.join(root, 'a/b'), { recursive: true });
      mkdirSync(path.join(root, 'a.b'));
      writeFileSync(path.join(root, 'a/b/big'), 'x'.repeat(5000));
      writeFileSync(path.join(root, 'a.b/f'), 'f');
      const streamed = [...walkDepthFirst(root)].map((e) => e.path.toString());
      const sorted = walkTree(root)
        .map((e) => e.path)
        .sort(compareLayerPaths)
        .map((p) => p.toString());
      expect(streamed).toEqual(sorted);
      // The rootless caller (here: 1234) stood for root.
      execFileSync('chown', ['-R', '1234:1234', root]);
      const items: LayerItem[] = [...walkDepthFirst(root)].map((entry) => ({ kind: 'entry', entry }));
      items.push({ kind: 'whiteout', path: Buffer.from('a/.wh.gone') });
      const chunks = [...tarChunks(items, { whiteoutMtime: 7, pool: new ChunkPool(1024), rootOwner: { uid: 1234, gid: 1234 } })];
      expect(chunks.length).toBeGreaterThan(5);
      const back = entriesOf(chunks);
      expect(back.map((b) => b.entry.name)).toEqual(['./', 'a/', 'a/b/', 'a/b/big', 'a.b/', 'a.b/f', 'a/.wh.gone']);
      expect(back.find((b) => b.entry.name === 'a/b/big')!.content).toBe('x'.repeat(5000));
      expect(back.every((b) => b.entry.uid === 0 && b.entry.gid === 0)).toBe(true);
      expect(back.at(-1)!.entry).toMatchObject({ type: 'file', size: 0, mtime: 7 });
    } finally {
      s.cleanup();
    }
  });
});
