/**
 * Every condition reason hubops writes, in one registry with what each means: reasons are API
 * (alerts, GitOps health checks and scripts key on them), so a statement can only name one of
 * these. And how a failed reconcile reads: each error code becomes a reason a human can act on;
 * the error's own classification (retryable or terminal) decides the requeue.
 */
import { OperatorError } from '../../errors.ts';

/** Each reason, and the situation it names. */
export const reasons = {
  // What a round did; Ready and Synced True.
  Connected: 'a Hub: the hub answers and accepts the token with the scopes the operator needs',
  Created: 'the operator created the hub object',
  Adopted: 'the hub object existed before the resource; the operator took it over',
  Updated: 'the operator changed the hub object to match the spec',
  UpToDate: 'the hub object already matched the spec',
  Issued: 'a HubToken: the operator issued a token into the Secret (first, rotated or replaced)',
  DeletedInHub:
    'a HubUser with whenDeletedInHub Respect: deleted outside hubops (idle culler); not re-created',
  Observed:
    'managementPolicy Observe: the hub has the object; status reports it, nothing is written',
  // Why nothing was written.
  NotInHub: 'managementPolicy Observe: the hub has no such object, and hubops does not create it',
  TokenMissing: 'a Hub: the Secret its tokenSecretRef names, or the key in it, is missing or empty',
  HubNotFound: 'the Hub that spec.hubRef names does not exist',
  NamespaceNotAllowed: "the hub's allowed namespaces do not include the resource's",
  AdminNotAllowed: 'the namespace may not grant admin in the hub; the admin flag is left as it is',
  AdoptionNotAllowed:
    'the hub object exists, hubops did not create it, and the namespace may not take it over',
  Conflict: 'an older resource declares the same hub name (or the hub refused with a conflict)',
  Paused: 'the hubops.io/paused annotation stops hub writes',
  InvalidSpec: 'the spec breaks a rule of its schema; nothing is done until it is fixed',
  MembersPending: 'a group waits for the HubUsers that will create some of its members',
  UserMissing: "a server's or token's user does not exist in the hub yet",
  UserNotOwned:
    "a HubToken: no HubUser of the namespace created the user, and it is not the hub's namespace",
  ScopesRefused: 'a HubToken: the hub refused to issue the token as specified (scopes, lifetime)',
  SecretConflict: 'a HubToken: a Secret of that name exists that hubops did not write for it',
  UnsupportedByHub: 'the hub version lacks what the spec needs',
  ManagedByAuthenticator:
    "a HubGroup: the hub's authenticator manages groups (refused or kept undoing its changes); membership is left alone",
  // Servers.
  Running: 'the server is running',
  Stopped: 'the server is stopped',
  Starting: 'the hub is starting the server',
  Stopping: 'the hub is stopping the server',
  StoppedOutsideOperator: 'the idle culler or the user stopped the server; respected',
  SpawnFailed: 'the spawner failed to start the server',
  SpawnThrottled: "the hub's concurrent spawn limit is reached; the start is tried again",
  SharesWaiting:
    "a HubServer's shares wait for the server's record or for a target user or group to exist",
  NamedServersDisabled: 'the hub does not allow named servers',
  NamedServerLimit: "the user's named-server limit is reached",
  // Failures of a round; Synced False.
  HubUnavailable: 'the hub does not answer',
  Unauthorized: 'the hub refused the token or one of its scopes',
  RateLimited: 'the hub asked the operator to slow down',
  HubRejected: 'the hub refused a request as invalid',
  NotFoundInHub: 'the hub answered 404 where the object should be',
  HubBusy: 'the hub has an operation on the object in progress',
  HubBadResponse: 'the hub answered with something the operator cannot read',
  StaleSnapshot: 'the hub kept changing under the round; it is tried again',
  HubNotReady: "a deleted resource's Hub is being set up; its cleanup is tried again shortly",
  KubernetesError: 'a request to the Kubernetes API failed (or, unclassified, anything else)',
  Error: 'an unclassified failure; the message says more',
} as const satisfies Record<string, string>;

export type Reason = keyof typeof reasons;

export function isReason(word: string | undefined): word is Reason {
  return word !== undefined && Object.hasOwn(reasons, word);
}

const reasonOfCode: Readonly<Record<string, Reason>> = {
  HUB_UNAVAILABLE: 'HubUnavailable',
  HUB_UNAUTHORIZED: 'Unauthorized',
  HUB_RATE_LIMITED: 'RateLimited',
  HUB_INVALID: 'HubRejected',
  HUB_NOT_FOUND: 'NotFoundInHub',
  HUB_CONFLICT: 'Conflict',
  HUB_PENDING: 'HubBusy',
  HUB_UNSUPPORTED: 'UnsupportedByHub',
  HUB_BAD_RESPONSE: 'HubBadResponse',
  STALE_SNAPSHOT: 'StaleSnapshot',
  HUB_NOT_READY: 'HubNotReady',
};

/**
 * Messages that must not vary with the route or the moment, so that an outage writes each
 * object's status once and its Events aggregate into one series.
 */
const stableMessages: Readonly<Record<string, string>> = {
  HUB_UNAVAILABLE:
    'JupyterHub is not answering; hubops probes it with backoff and resumes when it is back',
};

/** The condition reason and message for an error thrown by a reconciler. */
export function reasonFor(err: unknown): { reason: Reason; message: string } {
  // Every failure of the Kubernetes API reads the same: the Status message says the rest.
  if (err instanceof OperatorError && err.code.startsWith('KUBE_'))
    return { reason: 'KubernetesError', message: err.message };
  if (err instanceof OperatorError) {
    const reason = reasonOfCode[err.code] ?? 'Error';
    const stable = stableMessages[err.code];
    if (stable) return { reason, message: stable };
    // Which call failed first varies between rounds; the hub's own words do not.
    const words =
      err.code === 'HUB_UNAUTHORIZED'
        ? `JupyterHub refused the hubops token or one of its scopes: ${withoutRoute(err.message)}`
        : err.message;
    return { reason, message: words };
  }
  return { reason: 'KubernetesError', message: err instanceof Error ? err.message : String(err) };
}

/** "GET /users: 403 Missing or invalid credentials." -> "Missing or invalid credentials." */
function withoutRoute(message: string): string {
  return message.replace(/^[A-Z]+ \S+: (\d{3} )?/, '');
}
