/**
 * Documents per second of one of our validators (A) against a baseline
 * validator (B), same documents, same process: once from JSON text (B parses
 * with JSON.parse; A reads the text itself, checking UTF-8 and duplicate
 * names) and once on documents already parsed.
 */
import { compare, speedRatio } from './harness.js';

/** A validator under comparison: `label` names the call (`ajv(upstream schema)`). */
export interface Validator<K extends string> {
  label: string;
  /** True when `input` (JSON text for ours; a parsed value for either) is a valid `kind`. */
  valid(kind: K, input: unknown): boolean;
}

export interface ValidatorComparison<K extends string> {
  /** What the comparison is, as its rows are named (`image-spec validate`). */
  name: string;
  ours: Validator<K>;
  theirs: Validator<K>;
  /** Documents both sides accept. */
  docs: readonly { kind: K; text: string }[];
  /** How often every document is validated in one timed run. */
  repeat: number;
}

/** Run both comparisons and print the throughput ratios (target: ours at least half of theirs). */
export async function compareValidators<K extends string>({ name, ours, theirs, docs, repeat }: ValidatorComparison<K>): Promise<void> {
  const parsed = docs.map((d) => ({ kind: d.kind, value: JSON.parse(d.text) as unknown }));
  let sink = 0;
  const repeated =
    <T>(over: readonly T[], valid: (d: T) => boolean) =>
    () => {
      for (let r = 0; r < repeat; r++) for (const d of over) sink += valid(d) ? 1 : 0;
    };
  const common = { units: { count: docs.length * repeat, label: 'docs' }, rounds: 7, target: { maxRatio: 2 } };
  const text = await compare({
    name: `${name}, JSON text (${docs.length} documents x ${repeat})`,
    ours: { label: `${ours.label}(kind, text)`, fn: repeated(docs, (d) => ours.valid(d.kind, d.text)) },
    theirs: { label: `${theirs.label}(JSON.parse(text))`, fn: repeated(docs, (d) => theirs.valid(d.kind, JSON.parse(d.text))) },
    ...common,
  });
  const objects = await compare({
    name: `${name}, parsed documents (${docs.length} documents x ${repeat})`,
    ours: { label: `${ours.label}(kind, object)`, fn: repeated(parsed, (d) => ours.valid(d.kind, d.value)) },
    theirs: { label: `${theirs.label}(object)`, fn: repeated(parsed, (d) => theirs.valid(d.kind, d.value)) },
    ...common,
  });
  console.log(`   throughput ours/theirs: text ${speedRatio(text).toFixed(2)}x, parsed ${speedRatio(objects).toFixed(2)}x (target >= 0.5x)  [${sink}]`);
}
