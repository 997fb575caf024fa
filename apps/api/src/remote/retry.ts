// Exponential backoff with jitter, honouring Retry-After, for requests that have not handed the caller a byte.
import { setTimeout as delay } from "node:timers/promises";
import { RemoteError } from "./errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt (0: try once). */
  retries: number;
  /** The first backoff; each retry doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error goes to the caller at once. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 10_000,
};

/** `Retry-After` as milliseconds: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Backoff before retry number `attempt + 1`: half fixed, half random ("equal jitter"), capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `fn` until it succeeds, throws something that is not a transient RemoteError (unavailable,
 * rate_limited), or the retries are spent. Only for idempotent work that has not yet given the caller a byte.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof RemoteError)) throw e;
      const tooLong = e.retryAfterMs !== undefined && e.retryAfterMs > policy.maxRetryAfterMs;
      if (!e.transient || attempt >= policy.retries || tooLong || signal?.aborted) {
        e.attempts = attempt + 1;
        if (attempt > 0) e.message += ` (gave up after ${attempt + 1} attempts)`;
        throw e;
      }
      await delay(e.retryAfterMs ?? backoffDelay(attempt, policy), undefined, { signal });
    }
  }
}
