/**
 * RFC 5988 `Link` headers, as registries send them for pagination
 * (distribution-spec "Listing Tags", "Listing Referrers": rel="next").
 */

/** The target of the first link with `rel` (one of its space-separated relation types), resolved against `base`. */
export function linkTarget(header: string | undefined, rel: string, base: URL): URL | undefined {
  if (!header) return undefined;
  // Links are `<uri-reference>; param=value; ...`, separated by commas outside the brackets.
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+)*)/g;
  for (const m of header.matchAll(re)) {
    const params = m[2] ?? '';
    for (const p of params.split(';')) {
      const [k, v] = p.split('=', 2).map((s) => s.trim());
      if (k?.toLowerCase() !== 'rel' || v === undefined) continue;
      const rels = v.replace(/^"|"$/g, '').toLowerCase().split(/\s+/);
      if (rels.includes(rel.toLowerCase())) return new URL(m[1] ?? '', base);
    }
  }
  return undefined;
}
