/**
 * The Kubernetes API's failures as typed errors: the HTTP status (or a network failure) becomes
 * a stable code, and the Status object's own message is kept for the condition a human reads.
 * All are retryable except a refused kubeconfig, as controller-runtime requeues any API error.
 */
import { OperatorError } from '../errors.ts';

export type KubeErrorCode =
  | 'KUBE_UNAVAILABLE'
  | 'KUBE_UNAUTHORIZED'
  | 'KUBE_NOT_FOUND'
  | 'KUBE_CONFLICT'
  | 'KUBE_GONE'
  | 'KUBE_INVALID'
  | 'KUBE_ERROR';

export class KubeApiError extends OperatorError {
  readonly code: KubeErrorCode;
  readonly retryable = true;
  /** The HTTP status; undefined when no answer came (refused, reset, timed out). */
  readonly status: number | undefined;
  /** The Status object's machine reason, e.g. AlreadyExists, Conflict, Invalid. */
  readonly reason: string | undefined;

  constructor(status: number | undefined, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.code = codeFor(status);
  }
}

/** A kubeconfig or service account the operator cannot use: it cannot start. */
export class KubeConfigError extends OperatorError {
  readonly code = 'KUBE_CONFIG';
  readonly retryable = false;

  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

/** The result of `work`, or undefined when the API server answered 404: for objects that may be gone. */
export async function undefinedIfNotFound<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

function codeFor(status: number | undefined): KubeErrorCode {
  if (status === undefined || status === 429 || status >= 500) return 'KUBE_UNAVAILABLE';
  if (status === 401 || status === 403) return 'KUBE_UNAUTHORIZED';
  if (status === 404) return 'KUBE_NOT_FOUND';
  if (status === 409) return 'KUBE_CONFLICT';
  if (status === 410) return 'KUBE_GONE';
  if (status === 400 || status === 415 || status === 422) return 'KUBE_INVALID';
  return 'KUBE_ERROR';
}
