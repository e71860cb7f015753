/**
 * What a HubGroup reports beyond done and failed: the Event for the members a round created,
 * the conditions while HubUsers have yet to create some or while the hub cannot store
 * properties, and how many members the hub still lacks. Summaries, so that a 10,000-member
 * group costs a few lines rather than 10,000.
 */
import type { HubGroup as HubGroupModel } from '../../hub/models.ts';
import type { EventNote } from '../../kube/events.ts';
import type { DesiredGroup } from '../../plan/hubgroup.ts';
import { readyAndSynced } from '../runtime/conditions.ts';
import type { ConditionStatement } from '../runtime/reconciler.ts';

/** One Event for the members a round created: a 10,000-member list is not 10,000 Events. */
export function membersCreated(users: readonly string[]): EventNote {
  const note =
    users.length === 1
      ? `created hub user ${listed(users)}`
      : `created ${users.length} hub users for members: ${listed(users)}`;
  return { type: 'Normal', reason: 'Updated', action: 'createUser', note };
}

/** Declared members the hub group does not hold yet. */
export function countPending(desired: DesiredGroup, observed: HubGroupModel | undefined): number {
  const have = new Set(observed?.users ?? []);
  return desired.members.filter((user) => !have.has(user)).length;
}

/** The conditions while members wait for the HubUsers that will create them. */
export function membersWaiting(users: readonly string[]): ConditionStatement[] {
  const message = `waiting for the HubUsers of ${listed(users)} to create their hub users`;
  return readyAndSynced('False', 'MembersPending', message);
}

/** The conditions when properties differ and the hub (before JupyterHub 4.0) cannot store them. */
export const propertiesUnsupported: readonly ConditionStatement[] = [
  {
    type: 'Ready',
    status: 'False',
    reason: 'UnsupportedByHub',
    message: 'group properties need JupyterHub 4.0 or newer',
  },
  {
    type: 'Synced',
    status: 'True',
    reason: 'UpToDate',
    message: 'members are in step; properties were not sent',
  },
];

/** The first five names, then how many more. */
function listed(users: readonly string[]): string {
  const more = users.length > 5 ? ` and ${users.length - 5} more` : '';
  return `${users.slice(0, 5).join(', ')}${more}`;
}
