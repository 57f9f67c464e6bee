/** JSON Pointers (RFC 6901), as findings carry them. */

/** Escape one JSON Pointer reference token (RFC 6901 section 3): `~` as `~0`, `/` as `~1`. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Append reference tokens to a pointer: `pointer('/layers', 0, 'digest')` is
 * `/layers/0/digest`; names are escaped (`pointer('', 'a/b')` is `/a~1b`).
 */
export function pointer(base: string, ...tokens: (string | number)[]): string {
  let out = base;
  // Most names need no escaping: test before building a new string.
  for (const t of tokens) out += `/${typeof t === 'number' || (t.indexOf('~') === -1 && t.indexOf('/') === -1) ? t : escapePointer(t)}`;
  return out;
}
