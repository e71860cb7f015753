/**
 * The plan for one hub group: create missing members (as JupyterHub's load_groups does), then
 * the group with its members in one call, or one add and one remove of members, then properties
 * when they differ. Exact membership removes undeclared members; Additive only adds. Pure.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Action } from './actions.ts';
import type { DeletionPolicy, Ownership } from '../api/fields.ts';
import { effectiveDeletionPolicy } from './ownership.ts';
import { matchesSelector, type LabelSelector } from './selector.ts';

export interface DesiredGroup {
  readonly group: string;
  /** Usernames from `members` and from the selector, without duplicates. */
  readonly members: readonly string[];
  readonly policy: 'Exact' | 'Additive';
  /** Undefined leaves the hub's properties alone. */
  readonly properties?: Record<string, unknown>;
}

/** What a HubGroup declares of its members and properties. */
export interface GroupSpec {
  readonly members?: readonly string[] | undefined;
  readonly memberSelector?: LabelSelector | undefined;
  readonly membershipPolicy: 'Exact' | 'Additive';
  readonly properties?: Record<string, unknown> | undefined;
}

/** A HubUser of the group's namespace and hub, as a selector sees it. */
export interface MemberCandidate {
  readonly username: string;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Being deleted: no longer a member by selector. */
  readonly deleting: boolean;
}

/** The group a spec declares: `members` plus the candidates its selector matches, sorted. */
export function desiredGroup(
  group: string,
  spec: GroupSpec,
  candidates: Iterable<MemberCandidate>,
): DesiredGroup {
  const members = new Set(spec.members ?? []);
  const selector = spec.memberSelector;
  if (selector) {
    for (const candidate of candidates) {
      if (!candidate.deleting && matchesSelector(candidate.labels, selector))
        members.add(candidate.username);
    }
  }
  return {
    group,
    members: [...members].sort(),
    policy: spec.membershipPolicy,
    ...(spec.properties === undefined ? {} : { properties: spec.properties }),
  };
}

export interface ObservedGroup {
  readonly users: readonly string[];
  readonly properties?: Record<string, unknown>;
}

export interface GroupPlan {
  readonly actions: Action[];
  /** Properties differ but this hub cannot store them (before JupyterHub 4.0). */
  readonly propertiesUnsupported: boolean;
}

export function planGroup(
  desired: DesiredGroup,
  observed: ObservedGroup | undefined,
  hubUsers: ReadonlySet<string>,
  canSetProperties: boolean,
): GroupPlan {
  const actions: Action[] = [];
  for (const user of desired.members) {
    if (!hubUsers.has(user)) actions.push({ op: 'createUser', user, admin: false });
  }
  if (observed) actions.push(...membership(desired, observed));
  else actions.push({ op: 'createGroup', group: desired.group, users: desired.members });
  const differs =
    desired.properties !== undefined &&
    !isDeepStrictEqual(observed?.properties ?? {}, desired.properties);
  if (differs && canSetProperties)
    actions.push({
      op: 'setProperties',
      group: desired.group,
      properties: desired.properties ?? {},
    });
  return { actions, propertiesUnsupported: differs && !canSetProperties };
}

/** One add and one remove that make an existing group's members what is desired. */
function membership(desired: DesiredGroup, observed: ObservedGroup): Action[] {
  const actions: Action[] = [];
  const current = new Set(observed.users);
  const wanted = new Set(desired.members);
  const add = desired.members.filter((user) => !current.has(user));
  if (add.length > 0) actions.push({ op: 'addMembers', group: desired.group, users: add });
  const remove =
    desired.policy === 'Exact' ? [...current].filter((user) => !wanted.has(user)).sort() : [];
  if (remove.length > 0) actions.push({ op: 'removeMembers', group: desired.group, users: remove });
  return actions;
}

/** On deletion of the HubGroup: delete the hub group only when the policy in force says Delete. */
export function planGroupDeletion(
  group: string,
  policy: DeletionPolicy | undefined,
  ownership: Ownership | undefined,
  exists: boolean,
): Action[] {
  return exists && effectiveDeletionPolicy(policy, ownership) === 'Delete'
    ? [{ op: 'deleteGroup', group }]
    : [];
}
