/**
 * A hub whose authenticator manages groups (`manage_groups`): how the hub says so (before 5.3 it
 * refuses group writes), the decision to leave a group's membership alone as status keeps it
 * (until the spec changes), and how a HubGroup words it.
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import { HubError } from '../../hub/errors.ts';
import type { EventNote } from '../../kube/events.ts';
import type { Action } from '../../plan/actions.ts';
import { refused } from '../runtime/conditions.ts';
import type { Outcome } from '../runtime/reconciler.ts';
import { flapThreshold } from './membership-repairs.ts';

/** JupyterHub's words (before 5.3) for a group write while the authenticator manages groups. */
const disabledMessage = 'Group management via API is disabled';

/** Whether the hub refused a group write because its authenticator manages groups. */
export function refusedForManagedGroups(err: unknown): boolean {
  return (
    err instanceof HubError && err.code === 'HUB_INVALID' && err.message.includes(disabledMessage)
  );
}

/** Actions that make membership, which a group left to the authenticator does not send. */
const membershipOps: ReadonlySet<Action['op']> = new Set([
  'createUser',
  'createGroup',
  'addMembers',
  'removeMembers',
]);

/** `actions` of a group whose membership is left alone: its properties are still kept. */
export function withoutMembership(actions: readonly Action[]): Action[] {
  return actions.filter((action) => !membershipOps.has(action.op));
}

/** Why a group is left alone after the hub refused to change it. */
export function refusalDecision(group: string): string {
  return `the hub's authenticator manages groups (manage_groups) and the hub refuses changes to them: hubops will not change hub group ${group} until this HubGroup's spec changes`;
}

/** Why a group's membership is left alone after it was undone again and again. */
export function flapDecision(group: string): string {
  return `members of hub group ${group} were put back ${flapThreshold} times and undone again, as when the hub's authenticator manages groups (manage_groups): hubops will not change its members until this HubGroup's spec changes (properties are still kept)`;
}

/**
 * Ready and Synced False with the decision; a Warning Event when it starts, not at each visit.
 * `events` are what the round did before (properties it wrote).
 */
export function leftToAuthenticator(
  object: HubGroup,
  fields: Record<string, unknown>,
  decision: string,
  events: readonly EventNote[] = [],
): Outcome {
  const outcome = refused(object, fields, { reason: 'ManagedByAuthenticator', message: decision });
  return { ...outcome, events: [...events, ...(outcome.events ?? [])] };
}

/** A deletion the hub refused: the group is the authenticator's, and stays. */
export function keptForAuthenticator(group: string): EventNote {
  return {
    type: 'Normal',
    reason: 'Retained',
    action: 'Retain',
    note: `kept hub group ${group}: the hub's authenticator manages groups and the hub refuses to delete it`,
  };
}
