/**
 * A configuration for an older runtime-spec release: `ociVersion` set to the
 * target and every field the version table dates after it left out, as a
 * runtime of that version would ignore it anyway (config.md "Extensibility").
 * Values a runtime of that version would refuse (config.md "Valid values")
 * are left out where that keeps the document's meaning (a seccomp
 * architecture, the time namespace) and refused where it would not (a
 * seccomp action, a platform section).
 */
import { RuntimeSpecError, RuntimeSpecErrorCode } from '../errors.js';
import type { Spec } from '../types/config.js';
import { COMPILED_CONFIG_FIELDS, SPEC_VERSIONS, forEachMatch, hasMatch, isSpecVersion, specVersionRank, type SpecVersion } from '../versions.js';

/** One field (or array entry) left out by {@link downgradeConfig}. */
export interface DroppedField {
  /** JSON Pointer of what was removed, in the input document. */
  path: string;
  /** The table row's pointer pattern. */
  field: string;
  /** The dated value, when the row dates a value rather than a field. */
  value?: string;
  /** Release that introduced it. */
  since: SpecVersion;
}

export interface DowngradeResult {
  /** A fresh document declaring the target version. */
  config: Spec;
  /** What was left out, newest first, each pointer into the input document. */
  dropped: DroppedField[];
}

/** Parse a target version: one of {@link SPEC_VERSIONS}, else UNSUPPORTED_VERSION. */
export function parseSpecVersion(text: string): SpecVersion {
  if (isSpecVersion(text)) return text;
  throw new RuntimeSpecError(RuntimeSpecErrorCode.UnsupportedVersion, `expected a runtime-spec release (${SPEC_VERSIONS.join(', ')}), found ${JSON.stringify(text)}`);
}

type Token = string | number;

/** Every match of `tokens` in `node` whose remainder `rest` matches (with `value` at its end), as token lists. */
function collect(node: unknown, tokens: readonly string[], rest: readonly string[], value: string | undefined, out: Token[][], from = 0, at: Token[] = []): void {
  if (from === tokens.length) {
    if (hasMatch(node, rest, value)) out.push(at);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const t = tokens[from]!;
  if (Array.isArray(node)) {
    if (t === '*') node.forEach((child, i) => collect(child, tokens, rest, value, out, from + 1, [...at, i]));
    return;
  }
  const obj = node as Record<string, unknown>;
  for (const k of t === '*' ? Object.keys(obj) : Object.prototype.hasOwnProperty.call(obj, t) ? [t] : []) collect(obj[k], tokens, rest, value, out, from + 1, [...at, k]);
}

const isPrefix = (p: readonly Token[], of: readonly Token[]) => p.length <= of.length && p.every((t, i) => t === of[i]);
const toPointer = (p: readonly Token[]) => p.map((t) => `/${typeof t === 'number' ? t : t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** Order for removal: later array entries before earlier ones, inner before outer. */
function compareDesc(a: readonly Token[], b: readonly Token[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return y - x;
    return String(y) < String(x) ? -1 : 1;
  }
  return b.length - a.length;
}

function remove(root: unknown, p: readonly Token[]): void {
  let node = root as Record<Token, unknown>;
  for (const t of p.slice(0, -1)) node = node[t] as Record<Token, unknown>;
  const last = p[p.length - 1]!;
  if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
}

/**
 * `spec` as a document of runtime-spec `version` (one of
 * {@link SPEC_VERSIONS}): `ociVersion` set, every field newer than `version`
 * removed. The result validates under `version` without
 * `SpecVersionFieldTooNew` findings. Throws UNSUPPORTED_VERSION for any other
 * version and NOT_EXPRESSIBLE when the document uses something the target
 * cannot say and that cannot be left out without changing its meaning.
 * `spec` is not modified.
 */
export function downgradeConfig(spec: Spec, version: string): DowngradeResult {
  const target = parseSpecVersion(version);
  const rank = specVersionRank(target);
  const config = structuredClone(spec);
  config.ociVersion = target;
  const rows = COMPILED_CONFIG_FIELDS.filter((row) => row.rank > rank);
  // Refusals are judged on the input: a refused value inside a field that
  // is left out anyway (e.g. a z/OS namespace list with the z/OS section) still refuses.
  for (const row of rows) {
    if (row.removeTokens !== undefined) continue;
    forEachMatch(config, row.tokens, row.value, (at) => {
      const what = row.value === undefined ? row.path : `${JSON.stringify(row.value)} at ${row.path}`;
      throw new RuntimeSpecError(
        RuntimeSpecErrorCode.NotExpressible,
        `expected a document runtime-spec ${target} can express, found ${what} (${at}), new in ${row.since}, which cannot be left out without changing the configuration`,
      );
    });
  }
  // Fields before values: a value inside a field that goes is reported once, with the field.
  const dropped: DroppedField[] = [];
  const removals: Token[][] = [];
  const ordered = [...rows.filter((r) => r.value === undefined), ...rows.filter((r) => r.value !== undefined)];
  for (const row of ordered) {
    if (row.removeTokens === undefined) continue;
    const found: Token[][] = [];
    collect(config, row.removeTokens, row.restTokens, row.value, found);
    for (const p of found) {
      if (removals.some((r) => isPrefix(r, p))) continue;
      removals.push(p);
      dropped.push({ path: toPointer(p), field: row.path, since: row.since, ...(row.value !== undefined && { value: row.value }) });
    }
  }
  // Every pointer was found in the unmodified copy: remove from the back so none moves.
  removals.sort(compareDesc).forEach((p) => remove(config, p));
  return { config, dropped };
}
