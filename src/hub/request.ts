/**
 * The vocabulary of one hub call: what a caller asks for, what comes back, what metrics hear,
 * and how an answer's JSON is checked. No I/O here.
 */
import type { z } from 'zod';
import type { Priority } from '../priority.ts';
import type { Lane } from './budget.ts';
import { HubError } from './errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface HubRequest {
  readonly method: HttpMethod;
  /** Route template for metrics and messages, e.g. `/users/{name}`; never holds values. */
  readonly route: string;
  /** Path below the API root, already percent-encoded, with any query string. */
  readonly path: string;
  readonly body?: unknown;
  /** Default `user`. */
  readonly priority?: Priority;
  /** Default `hub`; `spawn` for server starts (see Lane). */
  readonly lane?: Lane;
  /** Whether sending twice is harmless. Default: true for GET, PUT and DELETE. */
  readonly idempotent?: boolean;
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Overrides the policy's maxAttempts, e.g. 1 for a call whose failure has its own fallback. */
  readonly maxAttempts?: number;
}

export interface HubResponse {
  readonly status: number;
  readonly text: string;
}

/** What a caller may add to any operation. */
export interface CallOptions {
  readonly priority?: Priority;
  readonly signal?: AbortSignal;
}

/** The per-call fields of a request, without undefined values. */
export function callOptions(options: CallOptions): { priority?: Priority; signal?: AbortSignal } {
  return {
    ...(options.priority ? { priority: options.priority } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** What a metrics collector hears about each attempt. */
export interface RequestSample {
  readonly method: HttpMethod;
  readonly route: string;
  /** HTTP status, or the error code when no answer came. */
  readonly outcome: number | string;
  readonly durationMs: number;
}

/** Parses and validates a JSON answer; HUB_BAD_RESPONSE names the first field that does not fit. */
export function parseBody<S extends z.ZodType>(
  request: HubRequest,
  text: string,
  schema: S,
): z.output<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HubError(
      'HUB_BAD_RESPONSE',
      `${request.method} ${request.route}: the answer is not JSON`,
    );
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new HubError(
      'HUB_BAD_RESPONSE',
      `${request.method} ${request.route}: unexpected answer at ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}
