/**
 * The one reconcile of a named hub object (a user, a group): the name-claim check, the snapshot,
 * ownership, the kind's plan, the pause, marking the object managed ahead of the first write,
 * the actions through the one executor, Events and status; and the deletion that follows the
 * deletion policy on a fresh read. A kind supplies only what is its own, as hooks.
 */
import { isPaused, recordedOwnership } from '../../api/annotations.ts';
import type { DeletionPolicy, Ownership } from '../../api/fields.ts';
import { keyOf } from '../../api/meta.ts';
import type { Hub } from '../../hub/hub.ts';
import type { HubSnapshot } from '../../hub/snapshot.ts';
import type { EventNote } from '../../kube/events.ts';
import { describe, type Action } from '../../plan/actions.ts';
import { ownershipOf } from '../../plan/ownership.ts';
import type { Priority } from '../../priority.ts';
import { conflict, deletionEvents, done, lastReason, paused } from './conditions.ts';
import type { Executed, HubActions } from './hub-actions.ts';
import { markManagedFirst } from './mark-managed.ts';
import type { NameClaims } from './name-claims.ts';
import { isReason, type Reason } from './reasons.ts';
import type { KindObject, Outcome, ReconcileContext, Reconciler } from './reconciler.ts';
import { withReplanning } from './replanning.ts';

/** An object that declares one named hub object. */
export interface HubObjectResource extends KindObject {
  readonly spec: { readonly deletionPolicy?: DeletionPolicy | undefined };
  readonly status?: KindObject['status'] & { readonly ownership?: Ownership };
}

export interface HubObjectDeps<T extends HubObjectResource> {
  readonly hub: Hub;
  readonly snapshot: HubSnapshot;
  readonly actions: HubActions;
  /** Who holds each hub name of this kind. */
  readonly claims: NameClaims<T>;
}

/** A plan: the actions to run, and whatever else the kind decided with them. */
export interface Planned {
  readonly actions: readonly Action[];
}

/** What a round has done so far; the template and the kind's hooks both add to it. */
export interface Round<Model> {
  readonly name: string;
  /** The ownership on record before this round. */
  readonly recorded: Ownership | undefined;
  ownership: Ownership;
  observed: Model | undefined;
  readonly events: EventNote[];
  /** A create found the object there already. */
  existedOnCreate: boolean;
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
  /** The hub object as the snapshot has it. */
  protected abstract inSnapshot(name: string): Model | undefined;
  /** The hub object read afresh; null when the hub has none. */
  protected abstract read(name: string, priority: Priority): Promise<Model | null>;
  /** What must happen for the hub to match `object`. */
  protected abstract plan(object: T, name: string, before: Model | undefined): Promise<P>;
  /** What deleting the object does in the hub. */
  protected abstract planDeletion(
    name: string,
    policy: DeletionPolicy | undefined,
    recorded: Ownership | undefined,
    exists: boolean,
  ): Action[];
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
    if (this.deps.claims.heldElsewhere(name, key) || isPaused(object.metadata.annotations))
      return [];
    // The snapshot may be minutes old: deleting (or not) is decided on a fresh read.
    const exists = (await this.read(name, context.priority)) !== null;
    const actions = this.planDeletion(
      name,
      object.spec.deletionPolicy,
      recordedOwnership(object),
      exists,
    );
    for (const action of actions) await this.deps.actions.run(action, context.priority);
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
      const executed = await this.deps.actions.run(action, priority);
      round.observed = this.observedAfter(executed, round.observed);
      if (executed.existed) {
        round.ownership = ownershipOf(round.recorded, true);
        round.existedOnCreate = true;
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

  /** What the round did, for Ready's reason: its first Event, or the last reason while steady. */
  protected roundReason(object: T, round: Round<Model>): Reason {
    const first = round.events[0]?.reason;
    if (first === undefined) return lastReason(object, round.ownership);
    return isReason(first) ? first : 'Updated';
  }

  async #round(object: T, context: ReconcileContext): Promise<Outcome> {
    const { snapshot, hub } = this.deps;
    const name = this.nameOf(object);
    const holder = this.deps.claims.heldElsewhere(
      name,
      keyOf(object.metadata.namespace, object.metadata.name),
    );
    if (holder)
      return {
        fields: { [this.nameField]: name },
        conditions: conflict(`${this.noun} ${name}`, holder),
      };
    await snapshot.ready(context.priority);
    const before = this.inSnapshot(name);
    const recorded = recordedOwnership(object);
    const round: Round<Model> = {
      name,
      recorded,
      ownership: ownershipOf(recorded, before !== undefined),
      observed: before,
      events: [],
      existedOnCreate: false,
    };
    const plan = await this.plan(object, name, before);
    if (isPaused(object.metadata.annotations)) {
      return {
        fields: this.fields(round, plan),
        conditions: paused(plan.actions.length === 0, plan.actions.map(describe).join('; ')),
      };
    }
    if (plan.actions.length > 0)
      await markManagedFirst(context, hub.health, recorded, round.ownership);
    await this.apply(plan, round, context.priority);
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
