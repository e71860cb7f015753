/**
 * The HubGroup reconciler: members are `members` plus the usernames of the HubUsers in the
 * namespace that `memberSelector` matches. Missing members are created in the hub (as
 * JupyterHub's load_groups does, and never deleted with the group), then membership changes
 * go out as one add and one remove call, then properties when they differ. Membership that is
 * undone behind hubops' back again and again, or that the hub refuses to change because its
 * authenticator manages groups, is left alone until the spec changes (authenticator-groups.ts).
 */
import {
  groupNameOf,
  hubGroupSpecSchema,
  observedMemberLimit,
  type HubGroup,
} from '../../api/hubgroup.ts';
import { usernameOf, type HubUser } from '../../api/hubuser.ts';
import { keyOf, kinds } from '../../api/meta.ts';
import type { EventNote } from '../../kube/events.ts';
import type { HubGroup as HubGroupModel } from '../../hub/models.ts';
import type { Action } from '../../plan/actions.ts';
import {
  desiredGroup,
  planGroup,
  planGroupDeletion,
  type DesiredGroup,
} from '../../plan/hubgroup.ts';
import type { Priority } from '../../priority.ts';
import { done, standingReady } from '../runtime/conditions.ts';
import type { Executed } from '../runtime/hub-actions.ts';
import type { HubUnit } from '../runtime/hub-unit.ts';
import {
  HubObjectReconciler,
  type HubObjectDeps,
  type Planned,
  type Round,
} from '../runtime/hub-object.ts';
import type { Outcome, ReconcileContext } from '../runtime/reconciler.ts';
import { unchangedFields } from '../runtime/status-report.ts';
import { adoptedOnCreateMs, membersPendingMs } from '../runtime/timings.ts';
import {
  flapDecision,
  keptForAuthenticator,
  leftToAuthenticator,
  refusalDecision,
  refusedForManagedGroups,
  withoutMembership,
} from './authenticator-groups.ts';
import {
  judge,
  membershipChange,
  type Judgement,
  type MembershipRepairs,
} from './membership-repairs.ts';
import { countPending, membersCreated, membersWaiting, propertiesUnsupported } from './status.ts';

/** The HubUsers a group's members come from, by namespace and username. */
export interface MemberSource {
  /** The cached HubUsers of `namespace`: the candidates of a selector. */
  inNamespace(namespace: string): readonly HubUser[];
  /** Whether a HubUser of `namespace` declares `username` in hub `hubKey` (so will create it). */
  manages(hubKey: string, namespace: string, username: string): boolean;
  /** Whether the HubUser of `username` (any namespace) leaves it deleted in hub `hubKey`. */
  deletedInHub(hubKey: string, username: string): boolean;
}

export interface HubGroupDeps extends HubObjectDeps<HubGroup> {
  readonly hubUsers: MemberSource;
  /** What each group's rounds put back; the triggers tell it who joined or left by selector. */
  readonly repairs: MembershipRepairs;
  /** Counts a flap of a group in hub `hubKey`. */
  readonly flapped: (hubKey: string) => void;
}

/** Missing members created at once: four bulk calls of the batcher's 25. */
const memberWave = 100;

interface GroupPlan extends Planned {
  /** Every member the spec declares, but those their HubUsers leave deleted. */
  readonly declared: DesiredGroup;
  /** Declared members the hub lacks and a HubUser of the namespace will create. */
  readonly waiting: ReadonlySet<string>;
  /** The members this round may set: the declared ones not waiting. */
  readonly settable: number;
  /** A new group all of whose members are still waiting: it is created with them, later. */
  readonly deferred: boolean;
  readonly propertiesUnsupported: boolean;
  /** Why the group's membership is left alone (the authenticator's), when it is. */
  readonly leftAlone: string | undefined;
  /** The round judged by the repair memory, kept once its writes went through. */
  readonly judged: { readonly key: string; readonly judgement: Judgement } | undefined;
}

export class HubGroupReconciler extends HubObjectReconciler<HubGroup, HubGroupModel, GroupPlan> {
  readonly kind = kinds.HubGroup;
  readonly specSchema = hubGroupSpecSchema;
  protected readonly noun = 'hub group';
  protected readonly nameField = 'groupName';
  readonly #hubUsers: MemberSource;
  readonly #repairs: MembershipRepairs;
  readonly #flapped: (hubKey: string) => void;
  /** Per group key, the members reselected before its round began, for that round's plans. */
  readonly #reselected = new Map<string, ReadonlySet<string>>();

  constructor(deps: HubGroupDeps) {
    super(deps);
    this.#hubUsers = deps.hubUsers;
    this.#repairs = deps.repairs;
    this.#flapped = deps.flapped;
  }

  /**
   * Every round takes the members reselected so far (a round that never plans still drops
   * them, so they cannot pile up); a group write the hub refuses because its authenticator
   * manages groups ends the round with that decision instead of a failure.
   */
  override async reconcile(object: HubGroup, context: ReconcileContext): Promise<Outcome> {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    this.#reselected.set(key, this.#repairs.takeReselected(key));
    try {
      return await super.reconcile(object, context);
    } catch (err) {
      if (!refusedForManagedGroups(err)) throw err;
      const name = groupNameOf(object);
      const fields = { ...unchangedFields(object), groupName: name };
      return leftToAuthenticator(object, fields, refusalDecision(name));
    } finally {
      this.#reselected.delete(key);
    }
  }

  /** A hub that refuses to delete the group (its authenticator manages groups) keeps it. */
  override async cleanup(
    object: HubGroup,
    context: ReconcileContext,
  ): Promise<readonly EventNote[]> {
    try {
      return await super.cleanup(object, context);
    } catch (err) {
      if (!refusedForManagedGroups(err)) throw err;
      return [keptForAuthenticator(groupNameOf(object))];
    }
  }

  protected nameOf(object: HubGroup): string {
    return groupNameOf(object);
  }

  /** A group's round judges its members by the users in the hub: it needs a whole sweep. */
  protected async inSnapshot(
    unit: HubUnit,
    name: string,
    priority: Priority,
  ): Promise<HubGroupModel | undefined> {
    await unit.snapshot.ready(priority);
    return unit.snapshot.group(name);
  }

  protected read(unit: HubUnit, name: string, priority: Priority): Promise<HubGroupModel | null> {
    return unit.hub.groups.get(name, { priority });
  }

  protected async plan(
    unit: HubUnit,
    object: HubGroup,
    name: string,
    before: HubGroupModel | undefined,
  ): Promise<GroupPlan> {
    const { snapshot, hub } = unit;
    const declared = this.#declared(unit, object, name);
    // A member that a HubUser of this namespace manages is created by that HubUser (so its
    // ownership is right), not by the group: until it exists it is pending.
    const { namespace } = object.metadata;
    // A member its HubUser leaves deleted (the idle culler's choice respected) is no member now.
    const expected = {
      ...declared,
      members: declared.members.filter(
        (user) => snapshot.hasUser(user) || !this.#hubUsers.deletedInHub(unit.key, user),
      ),
    };
    const waiting = new Set(
      expected.members.filter(
        (user) => !snapshot.hasUser(user) && this.#hubUsers.manages(unit.key, namespace, user),
      ),
    );
    const desired = { ...expected, members: expected.members.filter((u) => !waiting.has(u)) };
    const inHub = new Set(desired.members.filter((user) => snapshot.hasUser(user)));
    const canSet = (await hub.features()).groupProperties;
    // A new group whose every member is still to come is created with them when they exist:
    // one call instead of a create now and a membership call per wave of members later.
    const deferred = !before && waiting.size > 0 && desired.members.length === 0;
    const plan = deferred
      ? { actions: [], propertiesUnsupported: false }
      : planGroup(desired, before, inHub, canSet);
    // A decision to leave the membership alone stands until the spec changes.
    const standing = standingReady(object, 'ManagedByAuthenticator');
    const judged =
      standing === undefined && !deferred ? this.#judge(unit, object, plan.actions) : undefined;
    const leftAlone =
      standing ?? (judged?.judgement.contested === true ? flapDecision(name) : undefined);
    // Left alone, the group's properties are still kept: the authenticator does not set them.
    const actions =
      leftAlone === undefined ? plan.actions : before ? withoutMembership(plan.actions) : [];
    return {
      ...plan,
      actions,
      declared: expected,
      waiting,
      settable: desired.members.length,
      deferred,
      leftAlone,
      judged,
    };
  }

  protected planDeletion = planGroupDeletion;

  /** Missing members first, a wave at a time; then the group's own calls. */
  protected override async apply(
    plan: GroupPlan,
    round: Round<HubGroupModel>,
    priority: Priority,
  ): Promise<void> {
    const created = await this.#createMembers(round.unit, plan.actions, priority);
    if (created.length > 0) round.events.push(membersCreated(created));
    const own = plan.actions.filter((action) => action.op !== 'createUser');
    await this.applyActions(own, round, priority);
    if (plan.judged) {
      this.#repairs.keep(plan.judged.key, plan.judged.judgement.record);
      if (plan.judged.judgement.flapped) this.#flapped(round.unit.key);
    }
  }

  protected observedAfter(
    executed: Executed,
    before: HubGroupModel | undefined,
  ): HubGroupModel | undefined {
    return executed.group ?? before;
  }

  protected override conclude(
    object: HubGroup,
    plan: GroupPlan,
    round: Round<HubGroupModel>,
  ): Outcome {
    if (plan.leftAlone !== undefined)
      return leftToAuthenticator(object, this.fields(round, plan), plan.leftAlone, round.events);
    if (plan.waiting.size > 0) {
      return {
        // Nothing of a deferred group exists yet: no ownership to record.
        fields: {
          ...this.fields(round, plan),
          ownership: plan.deferred ? undefined : round.ownership,
        },
        conditions: membersWaiting([...plan.waiting]),
        events: round.events,
        // The member's hub user appearing wakes the group (triggers.ts); this is a safety net.
        requeueAfterMs: membersPendingMs,
      };
    }
    return {
      fields: this.fields(round, plan),
      conditions: plan.propertiesUnsupported
        ? propertiesUnsupported
        : done(
            this.roundReason(object, round),
            `hub group ${round.name} has ${plan.settable} members as declared`,
          ),
      events: round.events,
      // Adopted by the create itself: its members are set by the next round's plan.
      ...(round.existedOnCreate ? { requeueAfterMs: adoptedOnCreateMs } : {}),
    };
  }

  /** An observed group's members (all counted, the first names listed) and properties. */
  protected mirror(group: HubGroupModel | undefined): Record<string, unknown> {
    return {
      members: group?.users.length,
      membersPending: undefined,
      memberNames: group && [...group.users].sort().slice(0, observedMemberLimit),
      properties: group && (group.properties ?? {}),
    };
  }

  protected fields(round: Round<HubGroupModel>, plan: GroupPlan): Record<string, unknown> {
    return {
      groupName: round.name,
      ownership: round.ownership,
      members: round.observed?.users.length ?? 0,
      membersPending: countPending(plan.declared, round.observed),
    };
  }

  /** The round's membership changes as the repair memory judges them. */
  #judge(
    unit: HubUnit,
    object: HubGroup,
    actions: readonly Action[],
  ): { key: string; judgement: Judgement } {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const change = membershipChange(
      object,
      actions,
      this.#reselected.get(key) ?? new Set(),
      (user) => unit.snapshot.user(user)?.created ?? undefined,
    );
    return { key, judgement: judge(this.#repairs.recordOf(key), change) };
  }

  #declared(unit: HubUnit, object: HubGroup, group: string): DesiredGroup {
    // A HubUser of another hub in the same namespace is no member of this hub's group.
    const candidates = object.spec.memberSelector
      ? this.#hubUsers
          .inNamespace(object.metadata.namespace)
          .filter((user) => this.deps.hubs.keyOf(user) === unit.key)
          .map((user) => ({
            username: usernameOf(user),
            labels: user.metadata.labels,
            deleting: Boolean(user.metadata.deletionTimestamp),
          }))
      : [];
    return desiredGroup(group, object.spec, candidates);
  }

  /**
   * Creates the missing members a wave at a time: a wave's names share bulk calls through the
   * batcher, and between waves other objects' hub calls get their turn. Returns those created.
   */
  async #createMembers(
    unit: HubUnit,
    actions: readonly Action[],
    priority: Priority,
  ): Promise<string[]> {
    const users = actions.flatMap((a) => (a.op === 'createUser' ? [a.user] : []));
    const created: string[] = [];
    for (let i = 0; i < users.length; i += memberWave) {
      const wave = users.slice(i, i + memberWave);
      const results = await Promise.all(
        wave.map((user) => unit.actions.run({ op: 'createUser', user, admin: false }, priority)),
      );
      created.push(...wave.filter((_, j) => results[j]?.existed === false));
    }
    return created;
  }
}
