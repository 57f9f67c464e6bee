import { describe, it, expect } from '@jest/globals';
import { ABSENT, LIFECYCLE, Operation, PROCESS_EXIT, isAllowed, transition, type LifecycleStatus } from './index.js';

const STATUSES: LifecycleStatus[] = [ABSENT, 'creating', 'created', 'running', 'stopped'];
const OPS = Object.values(Operation);

describe('lifecycle as data', () => {
  it('has one rule per operation, each linked to runtime.md', () => {
    expect(LIFECYCLE.map((r) => r.operation).sort()).toEqual([...OPS].sort());
    for (const r of LIFECYCLE) expect(r.ref).toMatch(/runtime\.md#/);
  });

  it('walks the lifecycle of runtime.md: create, start, (process exits), delete', () => {
    let s: LifecycleStatus = ABSENT;
    s = transition(s, 'create');
    expect(s).toBe('created');
    expect(transition(s, 'kill')).toBe('created');
    s = transition(s, 'start');
    expect(s).toBe('running');
    expect(transition(s, 'state')).toBe('running');
    expect(PROCESS_EXIT.from).toContain(s);
    s = PROCESS_EXIT.to;
    s = transition(s, 'delete');
    expect(s).toBe(ABSENT);
  });

  it('refuses exactly what the spec refuses', () => {
    const allowed = new Set(['absent:create', 'created:start', 'created:kill', 'running:kill', 'stopped:delete', 'creating:state', 'created:state', 'running:state', 'stopped:state']);
    for (const s of STATUSES) {
      for (const op of OPS) {
        const key = `${s}:${op}`;
        expect(isAllowed(s, op)).toBe(allowed.has(key));
        if (allowed.has(key)) expect(() => transition(s, op)).not.toThrow();
        else expect(() => transition(s, op)).toThrow(expect.objectContaining({ name: 'RuntimeSpecError', code: 'INVALID_TRANSITION' }));
      }
    }
  });

  it('rejects an unknown operation', () => {
    expect(() => transition('created', 'pause' as Operation)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
