/**
 * The one executor of plan actions: runs an Action against the hub at the priority of the
 * reconcile it serves and keeps the shared snapshot in step with what the hub answered. A create
 * that finds the object there already reports `existed` instead of failing; a write that finds
 * the hub changed under the snapshot throws StaleSnapshot (replanning.ts).
 */
import { HubError } from '../../hub/errors.ts';
import type { Hub } from '../../hub/hub.ts';
import type { HubGroup, HubUser } from '../../hub/models.ts';
import type { HubSnapshot } from '../../hub/snapshot.ts';
import type { UserBatcher } from '../../hub/user-batcher.ts';
import type { Action } from '../../plan/actions.ts';
import type { Priority } from '../../priority.ts';
import { addMembers, freshGroup, refusedOverGoneUser, removeMembers } from './membership-calls.ts';
import { StaleSnapshot } from './replanning.ts';

/** What one action left in the hub. */
export interface Executed {
  /** The user after a user action; unset when it is gone or was not read back. */
  readonly user?: HubUser;
  /** The group after a group action; unset when it is gone or was not read back. */
  readonly group?: HubGroup;
  /** The create found the object there (made after the last sweep, or by us before a crash). */
  readonly existed: boolean;
}

export class HubActions {
  readonly #hub: Hub;
  readonly #snapshot: HubSnapshot;
  readonly #batcher: UserBatcher;

  constructor(deps: { hub: Hub; snapshot: HubSnapshot; batcher: UserBatcher }) {
    this.#hub = deps.hub;
    this.#snapshot = deps.snapshot;
    this.#batcher = deps.batcher;
  }

  /**
   * Runs `action` at `priority` and records the hub's answer in the snapshot. Throws the hub's
   * typed errors, and StaleSnapshot when the hub no longer has what the plan counted on.
   */
  async run(action: Action, priority: Priority): Promise<Executed> {
    const hub = this.#hub;
    const snapshot = this.#snapshot;
    const calls = { hub, snapshot };
    const options = { priority };
    switch (action.op) {
      case 'createUser': {
        const creation = await this.#batcher.create(action.user, action.admin, priority);
        const user =
          creation.outcome === 'created'
            ? creation.user
            : ((await hub.users.get(action.user, options)) ?? undefined);
        if (user) snapshot.recordUser(user);
        return { ...(user ? { user } : {}), existed: creation.outcome === 'existed' };
      }
      case 'setAdmin': {
        const user = await hub.users
          .setAdmin(action.user, action.admin, options)
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
        await hub.users.delete(action.user, options);
        snapshot.forgetUser(action.user);
        return { existed: false };
      case 'createGroup':
        try {
          const group = await hub.groups.create(action.group, { ...options, users: action.users });
          snapshot.recordGroup(group);
          return { group, existed: false };
        } catch (err) {
          // Made after our last sweep, by someone else or by us before a crash: take it as it is.
          if (!(err instanceof HubError && err.code === 'HUB_CONFLICT'))
            return refusedOverGoneUser(calls, err, action.group, priority);
          const group = await freshGroup(calls, action.group, priority);
          return { ...(group ? { group } : {}), existed: true };
        }
      case 'addMembers':
      case 'removeMembers': {
        const change = action.op === 'addMembers' ? addMembers : removeMembers;
        const group = await change(calls, action.group, action.users, priority);
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
    }
  }
}
