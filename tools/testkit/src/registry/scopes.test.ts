import { describe, expect, it } from '@jest/globals';
import { formatScopes, grantAccess, matchesRepository, parseScopes } from './scopes.js';

describe('parseScopes', () => {
  it('reads repeated parameters and space-separated lists (scope.md)', () => {
    expect(parseScopes(['repository:a/b:pull,push', 'repository:c:pull registry:catalog:*'])).toEqual([
      { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
      { type: 'repository', name: 'c', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
  });

  it('keeps a host port inside the name: actions follow the last colon', () => {
    expect(parseScopes(['repository:localhost:5000/app:pull'])).toEqual([{ type: 'repository', name: 'localhost:5000/app', actions: ['pull'] }]);
  });

  it('drops a resource class and entries it cannot read', () => {
    expect(parseScopes(['repository(plugin):p:pull', 'nonsense', 'repository::pull', ''])).toEqual([{ type: 'repository', name: 'p', actions: ['pull'] }]);
  });
});

describe('grantAccess', () => {
  it('grants requested ∩ allowed and drops resources left empty', () => {
    const allowed = (_t: string, name: string) => new Set(name === 'mine' ? ['pull', 'push'] : ['pull']);
    const granted = grantAccess(parseScopes(['repository:mine:pull,push,delete', 'repository:theirs:push']), allowed);
    expect(granted).toEqual([{ type: 'repository', name: 'mine', actions: ['pull', 'push'] }]);
    expect(formatScopes(granted)).toBe('repository:mine:pull,push');
  });
});

describe('matchesRepository', () => {
  it('treats * as any run of characters and nothing else as special', () => {
    expect(matchesRepository(['*'], 'any/thing')).toBe(true);
    expect(matchesRepository(['team/*'], 'team/app')).toBe(true);
    expect(matchesRepository(['team/*'], 'other/app')).toBe(false);
    expect(matchesRepository(['a.b'], 'axb')).toBe(false);
    expect(matchesRepository([], 'a')).toBe(false);
  });
});
