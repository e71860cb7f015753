/**
 * The one reconcile of a named hub object (a user, a group): its hub and the hub's tenancy
 * policy, the name-claim check, the snapshot, ownership, the kind's plan, the pause, marking the
 * object managed ahead of the first write, the actions through the one executor, Events and
 * status; and the deletion that follows the deletion policy on a fresh read. A kind supplies only
 * what is its own, as hooks.
 */
import {
  isPaused,
  ownershipAnnotation,
  recordedOwnership,
  trustedOwnership,
} from '../../api/annotations.ts';
import {
  observesOnly,
  type DeletionPolicy,
  type ManagementPolicy,
  type Ownership,
} from '../../api/fields.ts';
import { keyOf } from '../../api/meta.ts';
import type { HubRef } from '../../api/fields.ts';
import type { EventNote } from '../../kube/events.ts';
import { describe, type Action } from '../../plan/actions.ts';
import { ownershipOf } from '../../plan/ownership.ts';
import { adoption, type Refusal } from '../../plan/tenancy.ts';
import type { Priority } from '../../priority.ts';
import {
  conflict,
  deletionEvents,
  done,
  lastReason,
  observed,
  paused,
  standingDecision,
  refused,
  waitForHub,
} from './conditions.ts';
import { HubNotReady } from './hub-directory.ts';
import type { Executed } from './hub-actions.ts';
import type { HubDirectory } from './hub-directory.ts';
import { nameInHub } from './hub-kind.ts';
import type { HubUnit } from './hub-unit.ts';
import { markManagedFirst } from './mark-managed.ts';
import type { NameClaims } from './name-claims.ts';
import { isReason, type Reason } from './reasons.ts';
import type { KindObject, Outcome, ReconcileContext, Reconciler } from './reconciler.ts';
import { withReplanning } from './replanning.ts';
import { unchangedFields } from './status-report.ts';

/** An object that declares one named hub object. */
export interface HubObjectResource extends KindObject {
  readonly spec: {
    readonly deletionPolicy?: DeletionPolicy | undefined;
    readonly managementPolicy?: ManagementPolicy | undefined;
    readonly hubRef?: HubRef | undefined;
  };
  readonly status?: KindObject['status'] & { readonly ownership?: Ownership };
}

export interface HubObjectDeps<T extends HubObjectResource> {
  readonly hubs: HubDirectory;
  /** Who holds each hub name of this kind, per hub. */
  readonly claims: NameClaims<T>;
}

/** A plan: the actions to run, and whatever else the kind decided with them. */
export interface Planned {
  readonly actions: readonly Action[];
}

/** What a round has done so far; the template and the kind's hooks both add to it. */
export interface Round<Model> {
  readonly unit: HubUnit;
  /** The resource's namespace, which the hub's policy judges. */
  readonly namespace: string;
  readonly markManaged: ReconcileContext['markManaged'];
  readonly name: string;
  /** The ownership on record before this round. */
  readonly recorded: Ownership | undefined;
  ownership: Ownership;
  observed: Model | undefined;
  readonly events: EventNote[];
  /** A create found the object there already. */
  existedOnCreate: boolean;
  /** Why the round stopped: a create found what the namespace may not adopt. */
  refusal?: Refusal;
}

export abstract class HubObjectReconciler<
  T extends HubObjectResource,
  Model,
  P extends Planned,
> implements Reconciler<T> {
  abstract readonly kind: Reconciler<T>['kind'];
  abstract readonly specSchema: Reconciler<T>['specSchema'];
  /** "hub user": how conditions and Events name the hub object. */
  protected abstract readonly noun: string;
  /** The status field that holds the hub name. */
  protected abstract readonly nameField: string;
  protected readonly deps: HubObjectDeps<T>;

  constructor(deps: HubObjectDeps<T>) {
    this.deps = deps;
  }

  /** The hub name `object` declares. */
  protected abstract nameOf(object: T): string;
  /**
   * The hub object as the hub's snapshot has it, once the snapshot can answer for it (its first
   * sweep done, or as far as the kind's answer needs).
   */
  protected abstract inSnapshot(
    unit: HubUnit,
    name: string,
    priority: Priority,
  ): Promise<Model | undefined>;
  /** The hub object read afresh; null when the hub has none. */
  protected abstract read(unit: HubUnit, name: string, priority: Priority): Promise<Model | null>;
  /** What the kind refuses of `object` in its hub beyond the namespace (admin grants). */
  protected refusal(_unit: HubUnit, _object: T): Refusal | undefined {
    return undefined;
  }
  /** What must happen for the hub to match `object`; a read it needs goes at `priority`. */
  protected abstract plan(
    unit: HubUnit,
    object: T,
    name: string,
    before: Model | undefined,
    priority: Priority,
  ): Promise<P>;
  /** What deleting the object does in the hub. */
  protected abstract planDeletion(
    name: string,
    policy: DeletionPolicy | undefined,
    recorded: Ownership | undefined,
    exists: boolean,
  ): Action[];
  /** What an observed-only resource reports of its hub object (absent: what clears the fields). */
  protected abstract mirror(observed: Model | undefined): Record<string, unknown>;
  /** The kind's status fields for what the round saw. */
  protected abstract fields(round: Round<Model>, plan: P): Record<string, unknown>;
  /** The hub object after one executed action, given the one before. */
  protected abstract observedAfter(
    executed: Executed,
    before: Model | undefined,
  ): Model | undefined;

  /** Runs the plan; by default every action in order. */
  protected async apply(plan: P, round: Round<Model>, priority: Priority): Promise<void> {
    await this.applyActions(plan.actions, round, priority);
  }

  /** The outcome of a round that ran its plan; by default Ready and Synced with what it did. */
  protected conclude(object: T, plan: P, round: Round<Model>): Outcome {
    return {
      fields: this.fields(round, plan),
      conditions: done(
        this.roundReason(object, round),
        `${this.noun} ${round.name} is as the spec says`,
      ),
      events: round.events,
    };
  }

  reconcile(object: T, context: ReconcileContext): Promise<Outcome> {
    return withReplanning(() => this.#round(object, context));
  }

  async cleanup(object: T, context: ReconcileContext): Promise<readonly EventNote[]> {
    const name = this.nameOf(object);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const resolved = this.deps.hubs.resolve(object);
    // Refused now: it may not touch the hub, not even to delete what it once made there.
    if ('refusal' in resolved) return [];
    if ('pending' in resolved)
      throw new HubNotReady(`the Hub of ${this.noun} ${name} is being set up`);
    const { unit } = resolved;
    if (
      this.deps.claims.heldElsewhere(nameInHub(unit.key, name), key) ||
      isPaused(object.metadata.annotations) ||
      observesOnly(object.spec)
    )
      return [];
    // The snapshot may be minutes old: deleting (or not) is decided on a fresh read.
    const exists = (await this.read(unit, name, context.priority)) !== null;
    const recorded = recordedOwnership(object);
    // What it did not create, it deletes only where the hub lets its namespace take objects over.
    const mayDelete =
      trustedOwnership(object) === 'Created' ||
      adoption(unit.policy, object.metadata.namespace, name) === undefined;
    const actions = mayDelete
      ? this.planDeletion(name, object.spec.deletionPolicy, recorded, exists)
      : [];
    for (const action of actions) await unit.actions.run(action, context.priority);
    return deletionEvents(`${this.noun} ${name}`, actions.length > 0, exists);
  }

  /**
   * Runs `actions` in order. A create that found the object there takes the ownership on record
   * (ours when marking recorded Created before a crash), else Adopted; every other action that
   * went through is an Event.
   */
  protected async applyActions(
    actions: readonly Action[],
    round: Round<Model>,
    priority: Priority,
  ): Promise<void> {
    for (const action of actions) {
      if (round.refusal) return;
      const executed = await round.unit.actions.run(action, priority);
      round.observed = this.observedAfter(executed, round.observed);
      if (executed.existed) {
        round.ownership = ownershipOf(round.recorded, true);
        round.existedOnCreate = true;
        if (round.ownership === 'Adopted') await this.#foundExisting(round);
        continue;
      }
      const created = action.op === 'createUser' || action.op === 'createGroup';
      round.events.push({
        type: 'Normal',
        reason: created ? 'Created' : 'Updated',
        action: action.op,
        note: describe(action),
      });
    }
  }

  /**
   * A create found the object made by someone else since the last sweep: the record made ahead
   * of the create (Created) is corrected, and a namespace that may not adopt goes no further.
   */
  async #foundExisting(round: Round<Model>): Promise<void> {
    await round.markManaged({ [ownershipAnnotation]: 'Adopted' });
    const refusal = adoption(round.unit.policy, round.namespace, `${this.noun} ${round.name}`);
    if (refusal) round.refusal = refusal;
  }

  /** What the round did, for Ready's reason: its first Event, or the last reason while steady. */
  protected roundReason(object: T, round: Round<Model>): Reason {
    const first = round.events[0]?.reason;
    if (first === undefined) return lastReason(object, round.ownership);
    return isReason(first) ? first : 'Updated';
  }

  /**
   * An observed-only round: what the shared snapshot has, with no call of its own, under the
   * same tenancy as adopting it (what a namespace may not take over, it may not read either).
   */
  async #observe(
    object: T,
    unit: HubUnit,
    name: string,
    nameFields: Record<string, unknown>,
    context: ReconcileContext,
  ): Promise<Outcome> {
    const seen = await this.inSnapshot(unit, name, context.priority);
    if (seen !== undefined && trustedOwnership(object) !== 'Created') {
      const refusal = adoption(unit.policy, object.metadata.namespace, `${this.noun} ${name}`);
      if (refusal) return refused(object, nameFields, refusal);
    }
    return {
      fields: { ...nameFields, ...this.mirror(seen) },
      conditions: observed(
        seen !== undefined,
        `${this.noun} ${name} is ${seen === undefined ? 'not ' : ''}in the hub`,
      ),
    };
  }

  async #round(object: T, context: ReconcileContext): Promise<Outcome> {
    const name = this.nameOf(object);
    // A refused round leaves what status said, ownership above all: deletion goes by it.
    const nameFields = { ...unchangedFields(object), [this.nameField]: name };
    const resolved = this.deps.hubs.resolve(object);
    if ('refusal' in resolved) return refused(object, nameFields, resolved.refusal);
    if ('pending' in resolved) return waitForHub();
    const { unit } = resolved;
    const holder = this.deps.claims.heldElsewhere(
      nameInHub(unit.key, name),
      keyOf(object.metadata.namespace, object.metadata.name),
    );
    if (holder) return { fields: nameFields, conditions: conflict(`${this.noun} ${name}`, holder) };
    if (observesOnly(object.spec)) return this.#observe(object, unit, name, nameFields, context);
    const kindRefusal = this.refusal(unit, object);
    if (kindRefusal) return refused(object, nameFields, kindRefusal);
    const before = await this.inSnapshot(unit, name, context.priority);
    const recorded = recordedOwnership(object);
    if (before !== undefined && trustedOwnership(object) !== 'Created') {
      const refusal = adoption(unit.policy, object.metadata.namespace, `${this.noun} ${name}`);
      if (refusal) return refused(object, nameFields, refusal);
    }
    const round: Round<Model> = {
      unit,
      namespace: object.metadata.namespace,
      markManaged: context.markManaged,
      name,
      recorded,
      ownership: ownershipOf(recorded, before !== undefined),
      observed: before,
      events: [],
      existedOnCreate: false,
    };
    const plan = await this.plan(unit, object, name, before, context.priority);
    if (isPaused(object.metadata.annotations)) {
      const matches = plan.actions.length === 0;
      return {
        fields: this.fields(round, plan),
        conditions: paused(
          matches,
          plan.actions.map(describe).join('; '),
          matches ? standingDecision(object) : undefined,
        ),
      };
    }
    if (plan.actions.length > 0)
      await markManagedFirst(context, unit.hub.health, recorded, round.ownership);
    await this.apply(plan, round, context.priority);
    if (round.refusal)
      return refused(object, { ...nameFields, ownership: round.ownership }, round.refusal);
    if (round.ownership === 'Adopted' && recorded === undefined) {
      round.events.push({
        type: 'Normal',
        reason: 'Adopted',
        action: 'Adopt',
        note: `adopted the existing ${this.noun} ${name}`,
      });
    }
    return this.conclude(object, plan, round);
  }
}
