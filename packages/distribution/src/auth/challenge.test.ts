import { describe, expect, it } from '@jest/globals';
import { parseChallenges } from './challenge.js';
import { mergeScopes, repositoryScope } from './scope.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge as distribution sends it (token.md)', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
  });

  it('keeps commas and escaped quotes inside quoted strings, and reads token values', () => {
    expect(parseChallenges('Bearer realm="https://a.example/t?x=1,2", error=insufficient_scope, scope="a:\\"b\\":pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://a.example/t?x=1,2', error: 'insufficient_scope', scope: 'a:"b":pull' } },
    ]);
  });

  it('splits several challenges in one header and lower-cases schemes and names', () => {
    expect(parseChallenges('Basic realm="Registry Realm", BEARER Realm="https://t.example/token" , Service=reg')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://t.example/token', service: 'reg' } },
    ]);
  });

  it('reads a token68 and a bare scheme', () => {
    expect(parseChallenges('Negotiate abc+/=, Basic')).toEqual([
      { scheme: 'negotiate', params: { token68: 'abc+/=' } },
      { scheme: 'basic', params: {} },
    ]);
  });

  it('gives nothing for nothing', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('  ,  ')).toEqual([]);
  });
});

describe('scopes', () => {
  it('merges actions per resource into one sorted, stable list (scope.md)', () => {
    expect(mergeScopes([repositoryScope('b', 'push'), repositoryScope('a', 'pull'), 'repository:b:pull repository:a:pull', 'registry:catalog:*'])).toEqual([
      'registry:catalog:*',
      'repository:a:pull',
      'repository:b:pull,push',
    ]);
  });

  it('keeps a registry host port inside a repository name', () => {
    expect(mergeScopes(['repository:localhost:5000/x:pull'])).toEqual(['repository:localhost:5000/x:pull']);
  });
});
