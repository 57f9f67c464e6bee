/**
 * The base class of every error an ocikit package throws on purpose. What the
 * classes share lives here once: a stable string `code` callers branch on, an
 * optional link to the spec sentence that was broken, the chained `cause`,
 * and a JSON form. Each package keeps its own subclasses and vocabularies.
 */

/** What any ocikit error may carry besides its code and message. */
export interface OcikitErrorOptions {
  /** The error this one explains (a system error, a parser's error). */
  cause?: unknown;
  /** Link to the spec sentence that was broken. */
  ref?: string;
}

/** The JSON form of an ocikit error (`JSON.stringify(err)`): `ref` only when there is one. */
export interface OcikitErrorJson<Code extends string = string> {
  code: Code;
  message: string;
  ref?: string;
}

/**
 * `err instanceof OcikitError` holds for every typed error of every ocikit
 * package; `err.code` then says which rule was broken. Abstract: each
 * subclass names itself (`name` is as stable as `code`, and a class name
 * does not survive minifiers).
 */
export abstract class OcikitError<Code extends string = string> extends Error {
  abstract override readonly name: string;
  readonly code: Code;
  readonly ref: string | undefined;

  constructor(code: Code, message: string, options: OcikitErrorOptions = {}) {
    // No `cause` key at all when there is none, as for a plain Error.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.ref = options.ref;
  }

  toJSON(): OcikitErrorJson<Code> {
    return { code: this.code, message: this.message, ...(this.ref !== undefined && { ref: this.ref }) };
  }
}
