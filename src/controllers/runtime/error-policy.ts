/**
 * The one error policy, as kube-rs has it: every error a round throws goes through here, and
 * here alone is decided how it reads (a condition reason and message) and when the key comes
 * back: after the hub's Retry-After, with backoff when trying again can help, else not until
 * the object or the world changes. (An invalid spec is no error: the runner reports it.)
 */
import { isRetryable } from '../../errors.ts';
import { reasonFor, type Reason } from './reasons.ts';

export type NextVisit =
  | { readonly after: 'delay'; readonly ms: number }
  | { readonly after: 'backoff' }
  | { readonly after: 'change' };

export interface FailurePolicy {
  readonly reason: Reason;
  readonly message: string;
  readonly next: NextVisit;
}

export function errorPolicy(err: unknown): FailurePolicy {
  const { reason, message } = reasonFor(err);
  const retryAfterMs = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  const next: NextVisit =
    typeof retryAfterMs === 'number'
      ? { after: 'delay', ms: retryAfterMs }
      : isRetryable(err)
        ? { after: 'backoff' }
        : { after: 'change' };
  return { reason, message, next };
}
