/**
 * The HubUser reconciler: compares the spec with the shared hub snapshot, creates the user
 * (through the batcher) or fixes its admin flag, and reports what it found. Deletion removes
 * the hub user only under the deletion policy in force, after a confirming read.
 */
import type { HubUser } from '../api/hubuser.ts';
import { keyOf, kinds } from '../api/meta.ts';
import type { Priority } from '../hub/budget.ts';
import { HubError } from '../hub/errors.ts';
import type { Hub } from '../hub/hub.ts';
import type { HubUser as HubUserModel } from '../hub/models.ts';
import type { HubSnapshot } from '../hub/snapshot.ts';
import type { UserBatcher } from '../hub/user-batcher.ts';
import type { EventNote } from '../kube/events.ts';
import { describe, type Action } from '../plan/actions.ts';
import { planUser, planUserDeletion } from '../plan/hubuser.ts';
import { ownershipOf, type Ownership } from '../plan/ownership.ts';
import type { ClaimIndex } from './claims.ts';
import { conflict, deletionEvents, done, isPaused, lastReason, paused } from './conditions.ts';
import { claimFirst, recordedOwnership } from './ownership-first.ts';
import type { Outcome, ReconcileContext, Reconciler } from './reconciler.ts';
import { StaleSnapshot, withReplanning } from './stale.ts';

export interface HubUserDeps {
  readonly hub: Hub;
  readonly snapshot: HubSnapshot;
  readonly batcher: UserBatcher;
  readonly claims: ClaimIndex<HubUser>;
}

export function usernameOf(object: HubUser): string {
  return object.spec.username ?? object.metadata.name;
}

export class HubUserReconciler implements Reconciler<HubUser> {
  readonly kind = kinds.HubUser;
  readonly #deps: HubUserDeps;

  constructor(deps: HubUserDeps) {
    this.#deps = deps;
  }

  reconcile(object: HubUser, context: ReconcileContext): Promise<Outcome> {
    return withReplanning(() => this.#round(object, context));
  }

  async #round(object: HubUser, context: ReconcileContext): Promise<Outcome> {
    const { snapshot } = this.#deps;
    const username = usernameOf(object);
    const holder = this.#deps.claims.heldElsewhere(
      username,
      keyOf(object.metadata.namespace, object.metadata.name),
    );
    if (holder) {
      return { fields: { username }, conditions: conflict(`hub user ${username}`, holder) };
    }
    await snapshot.ready(context.priority);
    const before = snapshot.user(username);
    const recorded = recordedOwnership(object);
    let ownership: Ownership = ownershipOf(recorded, before !== undefined);
    const desired = { username, admin: object.spec.admin };
    const actions = planUser(desired, before);
    if (isPaused(object.metadata.annotations)) {
      return {
        fields: fields(username, ownership, before),
        conditions: paused(actions.length === 0, actions.map(describe).join('; ')),
      };
    }
    if (actions.length > 0) await claimFirst(context, this.#deps.hub, recorded, ownership);
    const events: EventNote[] = [];
    let observed = before;
    for (const action of actions) {
      const result = await this.#apply(action, context.priority);
      observed = result.user;
      // The user exists after all: someone created it after our last sweep (adopted), or we
      // did, before a crash, over a claim whose annotation records it (ours), or the sweep's
      // offset pages skipped it while users were deleted.
      if (result.existed) ownership = ownershipOf(recorded, true);
      if (!result.existed)
        events.push({
          type: 'Normal',
          reason: action.op === 'createUser' ? 'Created' : 'Updated',
          action: action.op,
          note: describe(action),
        });
    }
    // A user that existed but whose admin flag was wrong after all: one more round fixes it.
    const again = observed ? planUser(desired, observed) : [];
    for (const action of again) {
      observed = (await this.#apply(action, context.priority)).user;
      events.push({ type: 'Normal', reason: 'Updated', action: action.op, note: describe(action) });
    }
    if (ownership === 'Adopted' && recorded === undefined) {
      events.push({
        type: 'Normal',
        reason: 'Adopted',
        action: 'Adopt',
        note: `adopted the existing hub user ${username}`,
      });
    }
    const reason =
      events.length > 0 ? (events[0]?.reason ?? 'Updated') : lastReason(object, ownership);
    return {
      fields: fields(username, ownership, observed),
      conditions: done(reason, `hub user ${username} is as the spec says`),
      events,
    };
  }

  async cleanup(
    object: HubUser,
    context: Pick<ReconcileContext, 'priority'>,
  ): Promise<readonly EventNote[]> {
    const username = usernameOf(object);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    if (this.#deps.claims.heldElsewhere(username, key) || isPaused(object.metadata.annotations))
      return [];
    // The snapshot may be minutes old: deleting (or not) is decided on a fresh read.
    const exists = (await this.#deps.hub.users.get(username, context)) !== null;
    const actions = planUserDeletion(
      username,
      object.spec.deletionPolicy,
      recordedOwnership(object),
      exists,
    );
    for (const action of actions) await this.#apply(action, context.priority);
    return deletionEvents(`hub user ${username}`, actions.length > 0, exists);
  }

  /** Hub calls go at the priority of the reconcile they serve. */
  async #apply(
    action: Action,
    priority: Priority,
  ): Promise<{ user: HubUserModel | undefined; existed: boolean }> {
    const { hub, snapshot, batcher } = this.#deps;
    switch (action.op) {
      case 'createUser': {
        const creation = await batcher.create(action.user, action.admin, priority);
        const user =
          creation.outcome === 'created'
            ? creation.user
            : ((await hub.users.get(action.user, { priority })) ?? undefined);
        if (user) snapshot.recordUser(user);
        return { user, existed: creation.outcome === 'existed' };
      }
      case 'setAdmin': {
        const user = await hub.users
          .setAdmin(action.user, action.admin, { priority })
          .catch((err: unknown) => {
            // Deleted by hand since the last sweep: plan again, which creates it.
            if (!(err instanceof HubError && err.code === 'HUB_NOT_FOUND')) throw err;
            snapshot.forgetUser(action.user);
            throw new StaleSnapshot(`hub user ${action.user} is gone`);
          });
        snapshot.recordUser(user);
        return { user, existed: false };
      }
      case 'deleteUser':
        await hub.users.delete(action.user, { priority });
        snapshot.forgetUser(action.user);
        return { user: undefined, existed: false };
      default:
        throw new Error(`a HubUser plan cannot hold ${action.op}`);
    }
  }
}

/** The hub facts a HubUser reports. */
function fields(
  username: string,
  ownership: Ownership,
  user: HubUserModel | undefined,
): Record<string, unknown> {
  const servers = Object.values(user?.servers ?? {}).filter((s) => s.ready).length;
  return {
    username,
    ownership,
    ...(user ? { admin: user.admin, servers } : {}),
    ...(user?.last_activity ? { lastActivity: user.last_activity } : {}),
  };
}
