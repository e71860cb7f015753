/**
 * The base of the operator's typed errors. Every error a layer throws on purpose extends
 * OperatorError with a stable `code` (used for status reasons, metrics and tests) and is
 * classified once, where it is defined, as retryable (back off and try again) or terminal
 * (report it and wait for the spec or the world to change).
 */

export abstract class OperatorError extends Error {
  /** Stable identifier, e.g. HUB_RATE_LIMITED; never reworded once released. */
  abstract readonly code: string;
  /** True when trying again later can succeed without anyone changing anything. */
  abstract readonly retryable: boolean;
}

/** Whether an error is worth retrying; errors the operator did not classify are (bugs aside, they are I/O). */
export function isRetryable(err: unknown): boolean {
  return err instanceof OperatorError ? err.retryable : true;
}
