/**
 * Token scopes (distribution docs/spec/auth/scope.md, "Resource Scope
 * Grammar") and the issuer's rule for granting them: the token carries the
 * intersection of what was asked and what the subject may do
 * (docs/spec/auth/token.md, "Requesting a Token"), never an error for asking
 * too much.
 */
import type { ResourceActions } from './jwt.js';

/** `repository:NAME:pull,push` parsed. */
export interface ResourceScope {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/**
 * Parses scope strings: each may hold several space-separated resource scopes
 * (the POST form), and GET repeats the parameter. The name may itself hold
 * one ':' (a host port), so type is up to the first ':' and actions after the
 * last one. Unparseable entries are dropped, as a grant of nothing.
 */
export function parseScopes(values: readonly string[]): ResourceScope[] {
  const scopes: ResourceScope[] = [];
  for (const value of values) {
    for (const item of value.split(' ')) {
      const first = item.indexOf(':');
      const last = item.lastIndexOf(':');
      if (first <= 0 || last === first) continue;
      // `repository(plugin)`: the class is not part of what is granted here.
      const type = item.slice(0, first).replace(/\(.*\)$/, '');
      const name = item.slice(first + 1, last);
      const actions = item.slice(last + 1).split(',').filter((a) => a !== '');
      if (name !== '') scopes.push({ type, name, actions });
    }
  }
  return scopes;
}

/** `repository:NAME:pull,push repository:OTHER:pull`: the POST response's `scope` field. */
export function formatScopes(access: readonly ResourceActions[]): string {
  return access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' ');
}

/** Whether repository `name` matches one of `patterns` (`*` matches any run of characters; `"*"` alone matches all). */
export function matchesRepository(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`).test(name));
}

/** What a subject may do: the actions allowed on one resource. */
export type AccessPolicy = (type: string, name: string) => ReadonlySet<string>;

/**
 * requested ∩ allowed, merged per resource (a request may name one resource in
 * several scopes); resources left with no action are dropped.
 */
export function grantAccess(requested: readonly ResourceScope[], allowed: AccessPolicy): ResourceActions[] {
  const granted = new Map<string, { type: string; name: string; actions: Set<string> }>();
  for (const scope of requested) {
    const may = allowed(scope.type, scope.name);
    const key = `${scope.type}:${scope.name}`;
    const entry = granted.get(key) ?? { type: scope.type, name: scope.name, actions: new Set<string>() };
    for (const action of scope.actions) {
      if (may.has(action)) entry.actions.add(action);
    }
    granted.set(key, entry);
  }
  return [...granted.values()].filter((g) => g.actions.size > 0).map((g) => ({ type: g.type, name: g.name, actions: [...g.actions] }));
}
