/**
 * The plan for one hub user: what must happen for the hub to match a HubUser, and what
 * deleting the HubUser does. Pure: desired state and the observed hub user in, actions out.
 */
import type { Action } from './actions.ts';
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
