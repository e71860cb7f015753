/**
 * Pure retry timing: exponential backoff with jitter, and the hub's Retry-After header. No
 * clock and no randomness of its own: both come in as arguments, so the numbers are testable.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Delay before the first retry, before jitter. */
  readonly baseDelayMs: number;
  /** Ceiling of the exponential part. */
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited out inside the call: the error goes to the caller. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 15_000,
};

/**
 * Delay before retry number `retry` (1 for the first retry): base * 2^(retry-1), capped, with
 * "equal jitter" (half fixed, half random), so retries spread out but never come back at once.
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return exponential / 2 + (exponential / 2) * random();
}

/**
 * Milliseconds to wait according to a Retry-After header: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(
  header: string | string[] | undefined,
  nowMs: number,
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
