/**
 * The Ready and Synced statements every kind shares, so that each words the same situation the
 * same way (and an unchanged situation writes no status). A kind's own situations are worded in
 * its folder's status.ts, with reasons from reasons.ts.
 */
import { settledReasons, type Condition } from '../../api/conditions.ts';
import type { Ownership } from '../../api/fields.ts';
import { pausedAnnotation } from '../../api/annotations.ts';
import type { EventNote } from '../../kube/events.ts';
import { isReason, type Reason } from './reasons.ts';
import { hubPendingMs } from './timings.ts';
import type { ConditionStatement, Outcome } from './reconciler.ts';

/** Ready and Synced with one reason and message; Synced says whether this round's writes went. */
export function readyAndSynced(
  ready: 'True' | 'False',
  reason: Reason,
  message: string,
  synced: 'True' | 'False' = 'True',
): ConditionStatement[] {
  return [
    { type: 'Ready', status: ready, reason, message },
    { type: 'Synced', status: synced, reason, message },
  ];
}

/** What status says of the object's Ready condition, if anything. */
export function readyOf(object: {
  readonly status?: { readonly conditions?: readonly Condition[] | undefined } | undefined;
}): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === 'Ready');
}

/**
 * The message of a Ready condition with `reason` stated for the object's current generation: a
 * decision that stands until the spec changes. Undefined when there is none.
 */
export function standingReady(
  object: {
    readonly metadata: { readonly generation?: number | undefined };
    readonly status?: { readonly conditions?: readonly Condition[] | undefined } | undefined;
  },
  reason: Reason,
): string | undefined {
  const ready = readyOf(object);
  return ready?.reason === reason && ready.observedGeneration === object.metadata.generation
    ? ready.message
    : undefined;
}

/** Ready False reasons that are decisions standing until the spec changes, not failures. */
const lastingRefusals: ReadonlySet<string> = new Set<Reason>(['ManagedByAuthenticator']);

/**
 * The Ready that status states for the object's current generation when it is True, or a
 * decision that stands until the spec changes (a group's membership left to the authenticator).
 */
export function standingDecision(object: {
  readonly metadata: { readonly generation?: number | undefined };
  readonly status?: { readonly conditions?: readonly Condition[] | undefined } | undefined;
}): ConditionStatement | undefined {
  const ready = readyOf(object);
  if (
    ready === undefined ||
    ready.observedGeneration !== object.metadata.generation ||
    !isReason(ready.reason) ||
    (ready.status !== 'True' && !lastingRefusals.has(ready.reason))
  )
    return undefined;
  return {
    type: 'Ready',
    status: ready.status === 'True' ? 'True' : 'False',
    reason: ready.reason,
    message: ready.message,
  };
}

/** Both conditions True, with the reason of what this round did. */
export function done(reason: Reason, message: string): ConditionStatement[] {
  return readyAndSynced('True', reason, message);
}

/** The spec breaks its schema: nothing is done until the spec changes. */
export function invalidSpec(message: string): ConditionStatement[] {
  return readyAndSynced('False', 'InvalidSpec', message, 'False');
}

/**
 * The reason for a round that changed nothing: the last one, while Ready stayed True (so a
 * steady state rewrites nothing), else how the object came to be managed.
 */
export function lastReason(
  object: { status?: { conditions?: readonly Condition[] } },
  ownership: Ownership,
): Reason {
  const ready = readyOf(object);
  return ready?.status === 'True' && settledReasons.has(ready.reason) && isReason(ready.reason)
    ? ready.reason
    : ownership === 'Adopted'
      ? 'Adopted'
      : 'UpToDate';
}

/**
 * Observed only: Ready says whether the hub has the object (`finding` says what was seen), Synced
 * that the sweep it came from went through. Nothing was written to the hub.
 */
export function observed(seen: boolean, finding: string): ConditionStatement[] {
  const message = `${finding}; observed only, hubops writes nothing to the hub`;
  return seen
    ? readyAndSynced('True', 'Observed', message)
    : readyAndSynced('False', 'NotInHub', message, 'True');
}

/** Another resource holds the hub name: nothing is written to the hub. */
export function conflict(what: string, holder: string): ConditionStatement[] {
  const message = `${what} is claimed by the older resource ${holder}; this one writes nothing to the hub`;
  return readyAndSynced('False', 'Conflict', message, 'False');
}

/**
 * The pause annotation stops hub writes; Ready still tells whether the hub matches. A match keeps
 * `standing`, the Ready status states for this generation (standingDecision), so that a decision
 * such as a deletion respected or a membership left alone outlives the pause.
 */
export function paused(
  matches: boolean,
  drift: string,
  standing?: ConditionStatement,
): ConditionStatement[] {
  return [
    matches
      ? (standing ?? {
          type: 'Ready',
          status: 'True',
          reason: 'Paused',
          message: 'the hub matches the spec',
        })
      : {
          type: 'Ready',
          status: 'False',
          reason: 'Paused',
          message: `the hub differs from the spec: ${drift}`,
        },
    {
      type: 'Synced',
      status: 'False',
      reason: 'Paused',
      message: `hub writes are paused by the ${pausedAnnotation} annotation`,
    },
  ];
}

/** What deleting a resource did in the hub, as Events: Deleted, Retained, or nothing to say. */
export function deletionEvents(what: string, deleted: boolean, existed: boolean): EventNote[] {
  if (deleted)
    return [{ type: 'Normal', reason: 'Deleted', action: 'Delete', note: `deleted ${what}` }];
  if (existed)
    return [
      {
        type: 'Normal',
        reason: 'Retained',
        action: 'Retain',
        note: `kept ${what} (deletion policy Retain)`,
      },
    ];
  return [];
}

/** Nothing decided yet: the resource's Hub is being set up. */
export function waitForHub(): Outcome {
  return { fields: {}, conditions: [], deferMs: hubPendingMs };
}

/**
 * A resource its hub refuses (missing, or its policy says no): nothing is written to the hub and
 * nothing is retried, since only a change of the resource or of the Hub can help, and either
 * wakes it. The Event goes out when the refusal starts, not at every resync.
 */
export function refused(
  object: { status?: { conditions?: readonly Condition[] } },
  fields: Record<string, unknown>,
  refusal: { readonly reason: Reason; readonly message: string },
): Outcome {
  const ready = readyOf(object);
  const news = ready?.reason !== refusal.reason || ready.message !== refusal.message;
  return {
    fields,
    conditions: readyAndSynced('False', refusal.reason, refusal.message, 'False'),
    events: news
      ? [{ type: 'Warning', reason: refusal.reason, action: 'Refuse', note: refusal.message }]
      : [],
  };
}
