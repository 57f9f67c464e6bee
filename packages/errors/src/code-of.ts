/**
 * The union of a code vocabulary's values. A vocabulary is an `as const`
 * object (STYLE.md: no enums) and its type of the same name is one line:
 *
 *   export const DigestErrorCode = { Mismatch: 'DIGEST_MISMATCH', ... } as const;
 *   export type DigestErrorCode = CodeOf<typeof DigestErrorCode>;
 */
export type CodeOf<Vocabulary extends Readonly<Record<string, string>>> = Vocabulary[keyof Vocabulary];
