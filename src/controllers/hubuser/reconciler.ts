/**
 * The HubUser reconciler: compares the spec with the shared hub snapshot, creates the user
 * (through the batcher) or fixes its admin flag, or leaves a user deleted outside hubops deleted
 * when the spec says so, and reports what it found. Deletion removes the hub user only under the
 * deletion policy in force, after a confirming read.
 */
import { hubUserSpecSchema, usernameOf, type HubUser } from '../../api/hubuser.ts';
import { kinds } from '../../api/meta.ts';
import type { HubUser as HubUserModel } from '../../hub/models.ts';
import { planUser, planUserDeletion, staysDeleted, type DesiredUser } from '../../plan/hubuser.ts';
import { adminGrant, type Refusal } from '../../plan/tenancy.ts';
import type { Priority } from '../../priority.ts';
import type { Executed } from '../runtime/hub-actions.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';
import { done, readyOf, standingReady } from '../runtime/conditions.ts';
import { HubObjectReconciler, type Planned, type Round } from '../runtime/hub-object.ts';
import type { Outcome } from '../runtime/reconciler.ts';

interface UserPlan extends Planned {
  readonly desired: DesiredUser;
  /** The hub user was deleted outside hubops and the spec says to leave it so. */
  readonly deletedInHub: boolean;
}

export class HubUserReconciler extends HubObjectReconciler<HubUser, HubUserModel, UserPlan> {
  readonly kind = kinds.HubUser;
  readonly specSchema = hubUserSpecSchema;
  protected readonly noun = 'hub user';
  protected readonly nameField = 'username';

  protected nameOf(object: HubUser): string {
    return usernameOf(object);
  }

  /** A user's round needs only its own user: it starts once a page of the sweep lists it. */
  protected async inSnapshot(
    unit: HubUnit,
    name: string,
    priority: Priority,
  ): Promise<HubUserModel | undefined> {
    await unit.snapshot.userListed(name, priority);
    return unit.snapshot.user(name);
  }

  protected read(unit: HubUnit, name: string, priority: Priority): Promise<HubUserModel | null> {
    return unit.hub.users.get(name, { priority });
  }

  /** Only namespaces the hub lets grant admin may declare `admin: true`. */
  protected override refusal(unit: HubUnit, object: HubUser): Refusal | undefined {
    return adminGrant(unit.policy, object.metadata.namespace, object.spec.admin);
  }

  protected async plan(
    unit: HubUnit,
    object: HubUser,
    name: string,
    before: HubUserModel | undefined,
    priority: Priority,
  ): Promise<UserPlan> {
    const desired = { username: name, admin: object.spec.admin };
    const leftAsDeleted = { desired, actions: [], deletedInHub: true };
    if (before || !staysDeleted(object))
      return { desired, actions: planUser(desired, before), deletedInHub: false };
    if (standingReady(object, 'DeletedInHub') !== undefined) return leftAsDeleted;
    // A sweep's offset pages can miss a user while others are deleted: a read confirms it once.
    const fresh = await this.read(unit, name, priority);
    if (!fresh) return leftAsDeleted;
    unit.snapshot.recordUser(fresh);
    return { desired, actions: planUser(desired, fresh), deletedInHub: false };
  }

  /** A hub user left deleted reads Ready, with an Event when that starts. */
  protected override conclude(
    object: HubUser,
    plan: UserPlan,
    round: Round<HubUserModel>,
  ): Outcome {
    if (!plan.deletedInHub) return super.conclude(object, plan, round);
    const message = `hub user ${round.name} was deleted outside hubops (the idle culler, or a person); left deleted (whenDeletedInHub: Respect) until the spec changes`;
    const news = readyOf(object)?.reason !== 'DeletedInHub';
    return {
      fields: this.fields(round),
      conditions: done('DeletedInHub', message),
      events: news
        ? [{ type: 'Normal', reason: 'DeletedInHub', action: 'Respect', note: message }]
        : [],
    };
  }

  protected planDeletion = planUserDeletion;

  /**
   * The plan, then one more when the create found the user there (made after our last sweep,
   * by us before a crash, or skipped by the sweep's offset pages) with a different admin flag.
   */
  protected override async apply(
    plan: UserPlan,
    round: Round<HubUserModel>,
    priority: Priority,
  ): Promise<void> {
    await this.applyActions(plan.actions, round, priority);
    const followUp = round.observed && !round.refusal ? planUser(plan.desired, round.observed) : [];
    await this.applyActions(followUp, round, priority);
  }

  protected observedAfter(executed: Executed): HubUserModel | undefined {
    return executed.user;
  }

  /** An observed user's facts; the managed fields, and its groups. */
  protected mirror(user: HubUserModel | undefined): Record<string, unknown> {
    if (!user)
      return { admin: undefined, servers: undefined, lastActivity: undefined, groups: undefined };
    return {
      admin: user.admin,
      servers: runningServers(user),
      lastActivity: user.last_activity ?? undefined,
      groups: [...(user.groups ?? [])].sort(),
    };
  }

  /** The hub facts a HubUser reports. */
  protected fields(round: Round<HubUserModel>): Record<string, unknown> {
    const user = round.observed;
    return {
      username: round.name,
      ownership: round.ownership,
      ...(user ? { admin: user.admin, servers: runningServers(user) } : {}),
      ...(user?.last_activity ? { lastActivity: user.last_activity } : {}),
    };
  }
}

function runningServers(user: HubUserModel): number {
  return Object.values(user.servers ?? {}).filter((server) => server.ready).length;
}
