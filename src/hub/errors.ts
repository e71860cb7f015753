/**
 * Everything that can go wrong talking to a hub, as one error class with a stable code. The
 * code decides, once and here, whether a retry can help. Messages carry the method, the route
 * and the hub's own message; never the token, never a request header.
 */
import { OperatorError } from '../errors.ts';

export type HubErrorCode =
  | 'HUB_UNAUTHORIZED' // 401/403: the token is refused or lacks a scope
  | 'HUB_NOT_FOUND' // 404
  | 'HUB_CONFLICT' // 409: it already exists
  | 'HUB_INVALID' // 400 and other 4xx: the hub rejected the request; its message says why
  | 'HUB_PENDING' // the object is busy (a spawn or stop is pending): wait, then try again
  | 'HUB_UNSUPPORTED' // the hub's version lacks the feature (checked before sending)
  | 'HUB_RATE_LIMITED' // 429: come back after retryAfterMs
  | 'HUB_UNAVAILABLE' // 5xx, refused or reset connections, timeouts, or the hub is known down
  | 'HUB_BAD_RESPONSE'; // an answer that is not the JSON the API documents

const retryable: Record<HubErrorCode, boolean> = {
  HUB_UNAUTHORIZED: false,
  HUB_NOT_FOUND: false,
  HUB_CONFLICT: false,
  HUB_INVALID: false,
  HUB_PENDING: true,
  HUB_UNSUPPORTED: false,
  HUB_RATE_LIMITED: true,
  HUB_UNAVAILABLE: true,
  HUB_BAD_RESPONSE: true,
};

export interface HubErrorDetails {
  /** HTTP status when the hub answered. */
  readonly status?: number;
  /** How long the hub asked us to wait (Retry-After), for HUB_RATE_LIMITED and some 503s. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export class HubError extends OperatorError {
  override readonly name = 'HubError';
  readonly code: HubErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: HubErrorCode, message: string, details: HubErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retryable = retryable[code];
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** How the hub words "busy, try later" in its 400s (pending spawn, pending stop, stopping). */
const pendingMessage = /pending (spawn|stop)|in the process of stopping/i;

/** The code for an HTTP error status and the hub's message. */
export function codeForStatus(status: number, message = ''): HubErrorCode {
  if (status === 400 && pendingMessage.test(message)) return 'HUB_PENDING';
  if (status === 401 || status === 403) return 'HUB_UNAUTHORIZED';
  if (status === 404) return 'HUB_NOT_FOUND';
  if (status === 409) return 'HUB_CONFLICT';
  if (status === 429) return 'HUB_RATE_LIMITED';
  if (status >= 500) return 'HUB_UNAVAILABLE';
  return 'HUB_INVALID';
}

/** The hub's own message from an error body (`{"status":..,"message":..}`), else a short excerpt. */
export function hubMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      parsed &&
      typeof parsed === 'object' &&
      'message' in parsed &&
      typeof parsed.message === 'string'
    ) {
      return parsed.message;
    }
  } catch {
    // not JSON: a proxy's error page, say; fall through to an excerpt
  }
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
}

/** The result of `work`, or null when the hub answered 404: for reads of things that may not exist. */
export async function nullIfNotFound<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof HubError && err.code === 'HUB_NOT_FOUND') return null;
    throw err;
  }
}
