/**
 * Token scopes (distribution docs/spec/auth/scope.md):
 * `resourcetype:resourcename:action[,action...]`, e.g.
 * `repository:library/alpine:pull,push` or `registry:catalog:*`.
 */

export function repositoryScope(name: string, ...actions: string[]): string {
  return `repository:${name}:${actions.join(',')}`;
}

export const CATALOG_SCOPE = 'registry:catalog:*';

/**
 * Merge scopes: one entry per resource, actions united and sorted, entries
 * sorted, so the same needs give the same cache key.
 */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const one of scope.split(' ')) {
      if (!one) continue;
      const at = one.lastIndexOf(':');
      if (at <= 0) continue;
      const resource = one.slice(0, at);
      const actions = byResource.get(resource) ?? new Set<string>();
      for (const a of one.slice(at + 1).split(',')) if (a) actions.add(a);
      byResource.set(resource, actions);
    }
  }
  return [...byResource.entries()].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`).sort();
}
