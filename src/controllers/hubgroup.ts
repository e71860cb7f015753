/**
 * The HubGroup reconciler: members are `members` plus the usernames of the HubUsers in the
 * namespace that `memberSelector` matches. Missing members are created in the hub (as
 * JupyterHub's load_groups does, and never deleted with the group), then membership changes
 * go out as one add and one remove call, then properties when they differ.
 */
import type { HubGroup } from '../api/hubgroup.ts';
import { keyOf, kinds } from '../api/meta.ts';
import type { Priority } from '../hub/budget.ts';
import type { Hub } from '../hub/hub.ts';
import type { HubGroup as HubGroupModel } from '../hub/models.ts';
import type { HubSnapshot } from '../hub/snapshot.ts';
import type { UserBatcher } from '../hub/user-batcher.ts';
import type { EventNote } from '../kube/events.ts';
import { HubError } from '../hub/errors.ts';
import { describe, type Action } from '../plan/actions.ts';
import { planGroup, planGroupDeletion, type DesiredGroup } from '../plan/hubgroup.ts';
import { ownershipOf, type Ownership } from '../plan/ownership.ts';
import { matchesSelector } from '../plan/selector.ts';
import type { ClaimIndex } from './claims.ts';
import { conflict, deletionEvents, done, isPaused, lastReason, paused } from './conditions.ts';
import { usernameOf } from './hubuser.ts';
import type { HubUserIndex } from './hubuser-index.ts';
import {
  countPending,
  membersCreated,
  membersWaiting,
  propertiesUnsupported,
} from './group-reports.ts';
import { addMembers, freshGroup, refusedOverGoneUser, removeMembers } from './group-membership.ts';
import { claimFirst, recordedOwnership } from './ownership-first.ts';
import type { ConditionStatement, Outcome, ReconcileContext, Reconciler } from './reconciler.ts';
import { withReplanning } from './stale.ts';

export interface HubGroupDeps {
  readonly hub: Hub;
  readonly snapshot: HubSnapshot;
  readonly batcher: UserBatcher;
  readonly claims: ClaimIndex<HubGroup>;
  /** The HubUsers by namespace, for memberSelector and to leave their creation to them. */
  readonly hubUsers: HubUserIndex;
}

/** Missing members created at once: four bulk calls of the batcher's 25. */
const memberWave = 100;

export function groupNameOf(object: HubGroup): string {
  return object.spec.groupName ?? object.metadata.name;
}

export class HubGroupReconciler implements Reconciler<HubGroup> {
  readonly kind = kinds.HubGroup;
  readonly #deps: HubGroupDeps;

  constructor(deps: HubGroupDeps) {
    this.#deps = deps;
  }

  reconcile(object: HubGroup, context: ReconcileContext): Promise<Outcome> {
    return withReplanning(() => this.#round(object, context));
  }

  async #round(object: HubGroup, context: ReconcileContext): Promise<Outcome> {
    const { snapshot, hub } = this.#deps;
    const group = groupNameOf(object);
    const holder = this.#deps.claims.heldElsewhere(
      group,
      keyOf(object.metadata.namespace, object.metadata.name),
    );
    if (holder) {
      return { fields: { groupName: group }, conditions: conflict(`hub group ${group}`, holder) };
    }
    await snapshot.ready(context.priority);
    const before = snapshot.group(group);
    const recorded = recordedOwnership(object);
    let ownership: Ownership = ownershipOf(recorded, before !== undefined);
    const declared = this.#desired(object, group);
    // A member that a HubUser of this namespace manages is created by that HubUser (so its
    // ownership is right), not by the group: until it exists it is pending.
    const { namespace } = object.metadata;
    const waiting = new Set(
      declared.members.filter(
        (user) => !snapshot.hasUser(user) && this.#deps.hubUsers.manages(namespace, user),
      ),
    );
    const desired = {
      ...declared,
      members: declared.members.filter((user) => !waiting.has(user)),
    };
    const hubUsers = new Set(desired.members.filter((user) => snapshot.hasUser(user)));
    const canSet = (await hub.features()).groupProperties;
    // A new group whose every member is still to come is created with them when they exist:
    // one call instead of a create now and a membership call per wave of members later.
    const deferred = !before && waiting.size > 0 && desired.members.length === 0;
    const plan = deferred
      ? { actions: [], propertiesUnsupported: false }
      : planGroup(desired, before, hubUsers, canSet);
    if (isPaused(object.metadata.annotations)) {
      const pending = countPending(declared, before);
      return {
        fields: fields(group, ownership, before, pending),
        conditions: paused(plan.actions.length === 0, plan.actions.map(describe).join('; ')),
      };
    }
    if (plan.actions.length > 0) await claimFirst(context, hub, recorded, ownership);
    let observed = before;
    let adoptedOnCreate = false;
    const events: EventNote[] = [];
    const created = await this.#createMembers(plan.actions, context.priority);
    if (created.length > 0) events.push(membersCreated(created));
    for (const action of plan.actions) {
      if (action.op === 'createUser') continue;
      const result = await this.#apply(action, context.priority);
      if (result.group) observed = result.group;
      if (result.existed && action.op === 'createGroup') {
        // Ours when a claim recorded Created before a crash that followed the hub's create.
        ownership = ownershipOf(recorded, true);
        adoptedOnCreate = true;
      }
      if (!result.existed)
        events.push({
          type: 'Normal',
          reason: action.op === 'createGroup' ? 'Created' : 'Updated',
          action: action.op,
          note: describe(action),
        });
    }
    if (ownership === 'Adopted' && recorded === undefined) {
      events.push({
        type: 'Normal',
        reason: 'Adopted',
        action: 'Adopt',
        note: `adopted the existing hub group ${group}`,
      });
    }
    const pending = countPending(declared, observed);
    if (waiting.size > 0) {
      return {
        // Nothing of a deferred group exists yet: no ownership to record.
        fields: fields(group, deferred ? undefined : ownership, observed, pending),
        conditions: membersWaiting([...waiting]),
        events,
        // The member's hub user appearing wakes the group (setup.ts); this is a safety net.
        requeueAfterMs: 30_000,
      };
    }
    const conditions: readonly ConditionStatement[] = plan.propertiesUnsupported
      ? propertiesUnsupported
      : done(
          events.length > 0 ? (events[0]?.reason ?? 'Updated') : lastReason(object, ownership),
          `hub group ${group} has ${desired.members.length} members as declared`,
        );
    return {
      fields: fields(group, ownership, observed, pending),
      conditions,
      events,
      // Adopted by the create itself: its members are set by the next round's plan.
      ...(adoptedOnCreate ? { requeueAfterMs: 1_000 } : {}),
    };
  }

  async cleanup(
    object: HubGroup,
    context: Pick<ReconcileContext, 'priority'>,
  ): Promise<readonly EventNote[]> {
    const group = groupNameOf(object);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    if (this.#deps.claims.heldElsewhere(group, key) || isPaused(object.metadata.annotations))
      return [];
    const exists = (await this.#deps.hub.groups.get(group, context)) !== null;
    const actions = planGroupDeletion(
      group,
      object.spec.deletionPolicy,
      recordedOwnership(object),
      exists,
    );
    for (const action of actions) await this.#apply(action, context.priority);
    return deletionEvents(`hub group ${group}`, actions.length > 0, exists);
  }

  #desired(object: HubGroup, group: string): DesiredGroup {
    const members = new Set(object.spec.members ?? []);
    const selector = object.spec.memberSelector;
    if (selector) {
      for (const user of this.#deps.hubUsers.inNamespace(object.metadata.namespace)) {
        if (!user.metadata.deletionTimestamp && matchesSelector(user.metadata.labels, selector))
          members.add(usernameOf(user));
      }
    }
    return {
      group,
      members: [...members].sort(),
      policy: object.spec.membershipPolicy,
      ...(object.spec.properties === undefined ? {} : { properties: object.spec.properties }),
    };
  }

  /**
   * Creates the missing members a wave at a time: a wave's names share bulk calls through the
   * batcher, and between waves other objects' hub calls get their turn. Returns those created.
   */
  async #createMembers(actions: readonly Action[], priority: Priority): Promise<string[]> {
    const users = actions.flatMap((a) => (a.op === 'createUser' ? [a.user] : []));
    const created: string[] = [];
    for (let i = 0; i < users.length; i += memberWave) {
      const wave = users.slice(i, i + memberWave);
      const results = await Promise.all(
        wave.map((user) => this.#apply({ op: 'createUser', user, admin: false }, priority)),
      );
      created.push(...wave.filter((_, j) => results[j]?.existed === false));
    }
    return created;
  }

  /** Hub calls go at the priority of the reconcile they serve. */
  async #apply(
    action: Action,
    priority: Priority,
  ): Promise<{ group?: HubGroupModel; existed: boolean }> {
    const { hub, snapshot, batcher } = this.#deps;
    const options = { priority };
    switch (action.op) {
      case 'createUser': {
        const creation = await batcher.create(action.user, false, priority);
        const user =
          creation.outcome === 'created'
            ? creation.user
            : await hub.users.get(action.user, options);
        if (user) snapshot.recordUser(user);
        return { existed: creation.outcome === 'existed' };
      }
      case 'createGroup':
        try {
          const group = await hub.groups.create(action.group, { ...options, users: action.users });
          snapshot.recordGroup(group);
          return { group, existed: false };
        } catch (err) {
          // Made after our last sweep, by someone else or by us before a crash: take it as it is.
          if (!(err instanceof HubError && err.code === 'HUB_CONFLICT'))
            return refusedOverGoneUser(this.#deps, err, action.group, priority);
          const group = await freshGroup(this.#deps, action.group, priority);
          return { ...(group ? { group } : {}), existed: true };
        }
      case 'addMembers':
      case 'removeMembers': {
        const change = action.op === 'addMembers' ? addMembers : removeMembers;
        const group = await change(this.#deps, action.group, action.users, priority);
        return { ...(group ? { group } : {}), existed: false };
      }
      case 'setProperties': {
        const group = await hub.groups.setProperties(action.group, action.properties, options);
        snapshot.recordGroup(group);
        return { group, existed: false };
      }
      case 'deleteGroup':
        await hub.groups.delete(action.group, options);
        snapshot.forgetGroup(action.group);
        return { existed: false };
      default:
        throw new Error(`a HubGroup plan cannot hold ${action.op}`);
    }
  }
}

function fields(
  group: string,
  ownership: Ownership | undefined,
  observed: HubGroupModel | undefined,
  pending: number,
): Record<string, unknown> {
  return {
    groupName: group,
    ownership,
    members: observed?.users.length ?? 0,
    membersPending: pending,
  };
}
