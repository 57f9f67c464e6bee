/** Bearer tokens by the set of scopes they were issued for, each until it expires. */
import type { Token } from './token.js';

export class TokenCache {
  readonly #tokens = new Map<string, Token>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const t = this.#tokens.get(key);
    if (!t) return undefined;
    if (t.expiresAt <= this.now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return t.token;
  }

  set(key: string, token: Token): void {
    this.#tokens.set(key, token);
  }

  delete(key: string): void {
    this.#tokens.delete(key);
  }
}
