import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deadPid, ended, firstLine, SRC, startChild } from '../test-support/child.js';
import { isOwnerAlive, ownerToken } from './owner.js';
import { scratchDir, scratchName, scratchOwner, ScratchPurpose, strayScratch, sweepScratch } from './scratch.js';
import { testScratch } from '@ocikit/testkit';

const s = testScratch('scratch');

describe('owner tokens', () => {
  it('names this process as alive, and a process that exited as dead', () => {
    expect(isOwnerAlive(ownerToken())).toBe(true);
    expect(isOwnerAlive(String(deadPid()))).toBe(false);
  });

  it('tells a reused pid from the owner by its start time', () => {
    // Our own pid with another start time is an earlier process that had this pid.
    const [pid, start] = ownerToken().split('.');
    if (start === undefined) return; // no /proc: the pid alone is all there is
    expect(isOwnerAlive(`${pid}.${Number(start) + 1}`)).toBe(false);
    expect(isOwnerAlive(`1.${start}`)).toBe(process.pid === 1);
  });
});

describe('scratch names and sweeping', () => {
  it('names carry the owner and sweeping removes only entries of dead owners', () => {
    const mine = scratchDir(s.dir, ScratchPurpose.Unpack);
    expect(scratchOwner(path.basename(mine.path))).toBe(ownerToken());
    const dead = path.join(s.dir, scratchName(ScratchPurpose.Temp).replace(`-${ownerToken()}-`, `-${deadPid()}-`));
    writeFileSync(dead, 'left by a killed writer');
    const deadTree = path.join(s.dir, scratchName(ScratchPurpose.Unpack).replace(`-${ownerToken()}-`, `-${deadPid()}-`));
    mkdirSync(path.join(deadTree, 'rootfs', 'etc'), { recursive: true });
    writeFileSync(path.join(s.dir, '.ocikit-tmp-notanowner'), 'not ours to judge');
    writeFileSync(path.join(s.dir, 'index.json'), '{}');

    expect(strayScratch(s.dir).sort()).toEqual([path.basename(dead), path.basename(deadTree)].sort());
    expect(sweepScratch(s.dir).length).toBe(2);
    expect(readdirSync(s.dir).sort()).toEqual(['.ocikit-tmp-notanowner', path.basename(mine.path), 'index.json'].sort());
    mine.dispose();
    expect(existsSync(mine.path)).toBe(false);
  });
});

describe('interrupt cleanup', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`removes the process's scratch on ${signal}, then dies of it`, async () => {
      const child = startChild(
        s.dir,
        `
        import { scratchDir, scratchFile } from ${JSON.stringify(path.join(SRC, 'fs/scratch.ts'))};
        import { writeFileSync } from 'node:fs';
        const dir = scratchDir(process.argv[2], 'unpack');
        writeFileSync(dir.path + '/big', Buffer.alloc(1 << 20));
        const file = scratchFile(process.argv[2]);
        writeFileSync(file.path, 'partial');
        console.log('ready');
        setInterval(() => {}, 1000);
        `,
        [s.dir],
      );
      expect(await firstLine(child)).toBe('ready');
      expect(readdirSync(s.dir).filter((n) => n.startsWith('.ocikit-')).length).toBe(2);
      child.kill(signal);
      expect(await ended(child)).toEqual({ code: null, signal });
      expect(readdirSync(s.dir).filter((n) => n.startsWith('.ocikit-'))).toEqual([]);
    });
  }

  it('after SIGKILL the scratch stays, and the next sweep removes it', async () => {
    const child = startChild(
      s.dir,
      `
      import { scratchDir } from ${JSON.stringify(path.join(SRC, 'fs/scratch.ts'))};
      scratchDir(process.argv[2], 'unpack');
      console.log('ready');
      setInterval(() => {}, 1000);
      `,
      [s.dir],
    );
    await firstLine(child);
    child.kill('SIGKILL');
    await ended(child);
    expect(readdirSync(s.dir).filter((n) => n.startsWith('.ocikit-')).length).toBe(1);
    expect(sweepScratch(s.dir).length).toBe(1);
    expect(readdirSync(s.dir).filter((n) => n.startsWith('.ocikit-'))).toEqual([]);
  });
});
