/**
 * The one retry policy of the registry client: bounded attempts, exponential
 * backoff with full jitter (a random delay in [0, min(max, base * 2^n)]), and
 * a server's Retry-After honoured up to the same cap. What is retried:
 * broken connections and timeouts, 408, 429, 500, 502, 503, 504
 * (distribution-spec: 502/503/504 are temporary; 500 and 408 are retried as
 * the common clients do, since a registry behind a proxy reports both for
 * transient trouble).
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { isTransientNetworkFailure } from './failures.js';

export interface RetryOptions {
  /** Total tries, the first included (default 4). */
  attempts?: number;
  /** The backoff's base (default 200 ms). */
  baseDelayMs?: number;
  /** The cap on any one delay, Retry-After included (default 10 s). */
  maxDelayMs?: number;
}

const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export class RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;

  constructor(options: RetryOptions = {}) {
    this.attempts = Math.max(1, Math.floor(options.attempts ?? 4));
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 200);
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 10_000);
  }

  isRetriableStatus(status: number): boolean {
    return RETRIED_STATUSES.has(status);
  }

  isRetriableError(err: unknown): boolean {
    return isTransientNetworkFailure(err);
  }

  /** The delay before try `attempt + 1` (attempt counts from 1), honouring a Retry-After header. */
  delayMs(attempt: number, retryAfter?: string): number {
    const server = parseRetryAfter(retryAfter);
    if (server !== undefined) return Math.min(server, this.maxDelayMs);
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(Math.random() * ceiling);
  }

  /** Wait, or reject as soon as `signal` aborts. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0) return;
    await sleepTimer(ms, undefined, signal ? { signal } : undefined);
  }
}

/** Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date; milliseconds from now, or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
