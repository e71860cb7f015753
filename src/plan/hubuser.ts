/**
 * The plan for one hub user: what must happen for the hub to match a HubUser, whether a user
 * deleted outside hubops stays deleted, and what deleting the HubUser does. Pure: desired state
 * and the observed hub user in, actions out.
 */
import type { Action } from './actions.ts';
import { settledReasons } from '../api/conditions.ts';
import { trustedOwnership } from '../api/annotations.ts';
import type { HubUser } from '../api/hubuser.ts';
import type { DeletionPolicy, Ownership } from '../api/fields.ts';
import { effectiveDeletionPolicy } from './ownership.ts';

export interface DesiredUser {
  readonly username: string;
  readonly admin: boolean;
}

export interface ObservedUser {
  readonly admin: boolean;
}

/** Create the user, or fix its admin flag, or nothing. */
export function planUser(desired: DesiredUser, observed: ObservedUser | undefined): Action[] {
  if (!observed) return [{ op: 'createUser', user: desired.username, admin: desired.admin }];
  if (observed.admin !== desired.admin)
    return [{ op: 'setAdmin', user: desired.username, admin: desired.admin }];
  return [];
}

/**
 * Whether a missing hub user stays missing: the spec respects deletions, the operator has had the
 * user (status records its ownership), and Ready last said, for this very spec, that the user was
 * as declared (or already left deleted). A paused, failed or refused round at a new spec says
 * nothing of the kind, so a spec change always gets its create.
 */
export function staysDeleted(object: HubUser): boolean {
  const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
  return (
    object.spec.whenDeletedInHub === 'Respect' &&
    trustedOwnership(object) !== undefined &&
    ready?.status === 'True' &&
    ready.observedGeneration === object.metadata.generation &&
    (settledReasons.has(ready.reason) || ready.reason === 'DeletedInHub')
  );
}

/** On deletion of the HubUser: delete the hub user only when the policy in force says Delete. */
export function planUserDeletion(
  username: string,
  policy: DeletionPolicy | undefined,
  ownership: Ownership | undefined,
  exists: boolean,
): Action[] {
  return exists && effectiveDeletionPolicy(policy, ownership) === 'Delete'
    ? [{ op: 'deleteUser', user: username }]
    : [];
}
