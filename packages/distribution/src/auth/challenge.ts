/**
 * WWW-Authenticate challenges (RFC 7235 section 4.1; distribution token.md
 * "How to authenticate"): one header may hold several challenges, each a
 * scheme and either a token68 or `name=value` parameters, where a value is a
 * token or a quoted string with backslash escapes (and may hold commas).
 */

export interface Challenge {
  /** The scheme, lower-cased (`basic`, `bearer`). */
  scheme: string;
  /** Parameters, names lower-cased. */
  params: Record<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return [];
  const s = header;
  let i = 0;
  const out: Challenge[] = [];
  const skip = (re: RegExp): void => {
    while (i < s.length && re.test(s[i]!)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const quoted = (): string => {
    // s[i] is the opening quote.
    i++;
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    i++; // closing quote (or the end)
    return v;
  };
  /** Is a `name=` (a parameter, not `==` of a token68) ahead at i? */
  const paramAhead = (): boolean => {
    const m = /^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=(?!=)/.exec(s.slice(i));
    return m !== null;
  };

  while (i < s.length) {
    skip(/[\s,]/);
    if (i >= s.length) break;
    const scheme = token();
    if (!scheme) {
      i++; // not a token: skip the character and resynchronise
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skip(/\s/);
    // token68 (e.g. `Basic dXNlcg==`): kept as the `token68` parameter.
    const t68 = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/.exec(s.slice(i));
    if (t68 && !paramAhead()) {
      challenge.params['token68'] = t68[0];
      i += t68[0].length;
      continue;
    }
    // auth-params, comma separated, until something that is not `name=` (the next challenge's scheme).
    for (;;) {
      skip(/[\s,]/);
      if (i >= s.length || !paramAhead()) break;
      skip(/\s/);
      const name = token().toLowerCase();
      skip(/\s/);
      i++; // '='
      skip(/\s/);
      challenge.params[name] = s[i] === '"' ? quoted() : token();
    }
  }
  return out;
}
