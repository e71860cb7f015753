/**
 * The Ready and Synced statements the hub reconcilers share, so that every kind words the same
 * situation the same way (and an unchanged situation writes no status).
 */
import type { Condition } from '../api/conditions.ts';
import type { Ownership } from '../plan/ownership.ts';
import type { EventNote } from '../kube/events.ts';
import type { ConditionStatement } from './reconciler.ts';

/** Both conditions True, with the reason of what this round did. */
export function done(reason: string, message: string): ConditionStatement[] {
  return [
    { type: 'Ready', status: 'True', reason, message },
    { type: 'Synced', status: 'True', reason, message },
  ];
}

/**
 * The reason for a round that changed nothing: the last one, while Ready stayed True (so a
 * steady state rewrites nothing), else how the object came to be managed.
 */
export function lastReason(
  object: { status?: { conditions?: readonly Condition[] } },
  ownership: Ownership,
): string {
  const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
  const settled = ['Created', 'Adopted', 'Updated', 'UpToDate'];
  return ready?.status === 'True' && settled.includes(ready.reason)
    ? ready.reason
    : ownership === 'Adopted'
      ? 'Adopted'
      : 'UpToDate';
}

/** Another resource holds the hub name: nothing is written to the hub. */
export function conflict(what: string, holder: string): ConditionStatement[] {
  const message = `${what} is claimed by the older resource ${holder}; this one writes nothing to the hub`;
  return [
    { type: 'Ready', status: 'False', reason: 'Conflict', message },
    { type: 'Synced', status: 'False', reason: 'Conflict', message },
  ];
}

/** The pause annotation stops hub writes; Ready still tells whether the hub matches. */
export function paused(matches: boolean, drift: string): ConditionStatement[] {
  return [
    matches
      ? { type: 'Ready', status: 'True', reason: 'Paused', message: 'the hub matches the spec' }
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
      message: 'hub writes are paused by the hubops.io/paused annotation',
    },
  ];
}

export const pausedAnnotation = 'hubops.io/paused';

export function isPaused(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations?.[pausedAnnotation] === 'true';
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
