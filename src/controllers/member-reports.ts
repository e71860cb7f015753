/**
 * What a HubGroup reports about its members: the Event for the members a round created, the
 * message while HubUsers have yet to create some, and how many members the hub still lacks.
 * Summaries, so that a 10,000-member group costs a few lines rather than 10,000.
 */
import type { HubGroup as HubGroupModel } from '../hub/models.ts';
import type { EventNote } from '../kube/events.ts';
import type { DesiredGroup } from '../plan/hubgroup.ts';

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

/** The condition message while members wait for the HubUsers that will create them. */
export function membersWaiting(users: readonly string[]): string {
  return `waiting for the HubUsers of ${listed(users)} to create their hub users`;
}

/** The first five names, then how many more. */
function listed(users: readonly string[]): string {
  const more = users.length > 5 ? ` and ${users.length - 5} more` : '';
  return `${users.slice(0, 5).join(', ')}${more}`;
}
