/**
 * How a failed reconcile reads in status: each error code becomes a condition reason a human
 * can act on. The error's own classification (retryable or terminal) decides the requeue.
 */
import { OperatorError } from '../errors.ts';

const reasons: Record<string, string> = {
  HUB_UNAVAILABLE: 'HubUnavailable',
  HUB_UNAUTHORIZED: 'Unauthorized',
  HUB_RATE_LIMITED: 'RateLimited',
  HUB_INVALID: 'HubRejected',
  HUB_NOT_FOUND: 'HubNotFound',
  HUB_CONFLICT: 'Conflict',
  HUB_PENDING: 'HubBusy',
  HUB_UNSUPPORTED: 'UnsupportedByHub',
  HUB_BAD_RESPONSE: 'HubBadResponse',
};

/** Every failure of the Kubernetes API reads the same: the Status message says the rest. */
const kubeReason = 'KubernetesError';

/**
 * Messages that must not vary with the route or the moment, so that an outage writes each
 * object's status once and its Events aggregate into one series.
 */
const stableMessages: Record<string, string> = {
  HUB_UNAVAILABLE:
    'JupyterHub is not answering; hubops probes it with backoff and resumes when it is back',
};

/** The condition reason and message for an error thrown by a reconciler. */
export function reasonFor(err: unknown): { reason: string; message: string } {
  if (err instanceof OperatorError && err.code.startsWith('KUBE_'))
    return { reason: kubeReason, message: err.message };
  if (err instanceof OperatorError) {
    const stable = stableMessages[err.code];
    if (stable) return { reason: reasons[err.code] ?? 'Error', message: stable };
    // Which call failed first varies between rounds; the hub's own words do not.
    const words =
      err.code === 'HUB_UNAUTHORIZED'
        ? `JupyterHub refused the hubops token or one of its scopes: ${withoutRoute(err.message)}`
        : err.message;
    return { reason: reasons[err.code] ?? 'Error', message: words };
  }
  return { reason: kubeReason, message: err instanceof Error ? err.message : String(err) };
}

/** "GET /users: 403 Missing or invalid credentials." -> "Missing or invalid credentials." */
function withoutRoute(message: string): string {
  return message.replace(/^[A-Z]+ \S+: (\d{3} )?/, '');
}
