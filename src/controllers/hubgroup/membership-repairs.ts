/**
 * The memory of membership repairs: per HubGroup, the members a round put back (added again, or
 * removed again) since its spec last changed, and the flaps: rounds that had to put back a change
 * they had put back before. Only repaired members are kept, so a group in step costs nothing
 * however large; a spec change or the group's deletion forgets its entry.
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import type { Action } from '../../plan/actions.ts';
import { readyOf } from '../runtime/conditions.ts';

/** Flaps at one generation after which a group's membership is left to whoever keeps undoing it. */
export const flapThreshold = 3;

/** Which way a member was put back. */
export type RepairDirection = 'add' | 'remove';

/** A member a round put back, and which hub user it was: a user created anew is another one. */
export interface Repair {
  readonly direction: RepairDirection;
  /** The hub user's `created` time when it was put back. */
  readonly created: string | undefined;
}

/** What one HubGroup's rounds put back at one generation of its spec. */
export interface RepairRecord {
  /** The HubGroup's uid: a group deleted and made again under its name starts afresh. */
  readonly uid: string;
  readonly generation: number;
  readonly repairs: ReadonlyMap<string, Repair>;
  readonly flaps: number;
}

/** The membership changes one round of a group must make, and what tells a repair. */
export interface MembershipChange {
  readonly uid: string;
  readonly generation: number;
  /**
   * The group was Ready at this generation before the round, so its hub group held the declared
   * members: what the round must change was changed behind hubops' back. Otherwise (a first sync,
   * members it waited for) nothing it does is a repair.
   */
  readonly settled: boolean;
  readonly add: readonly string[];
  readonly remove: readonly string[];
  /**
   * Members whose change follows the declaration rather than undoing someone else: they joined
   * or left by selector since the group's last round, or the round creates them. Their history
   * is dropped.
   */
  readonly declaredAnew: ReadonlySet<string>;
  /** The hub user's `created` time, so that one deleted and created again is not a flap. */
  readonly createdOf: (user: string) => string | undefined;
}

/**
 * The membership change of one round of `group` that plans `actions`: a repair only if the group
 * was Ready for this very spec before the round. `reselected` joined or left by selector since
 * its last round; `createdOf` gives a hub user's `created` time.
 */
export function membershipChange(
  group: HubGroup,
  actions: readonly Action[],
  reselected: ReadonlySet<string>,
  createdOf: (user: string) => string | undefined,
): MembershipChange {
  const usersOf = (op: 'addMembers' | 'removeMembers'): string[] =>
    actions.flatMap((action) => (action.op === op ? action.users : []));
  const created = actions.flatMap((action) => (action.op === 'createUser' ? [action.user] : []));
  const ready = readyOf(group);
  return {
    uid: group.metadata.uid ?? '',
    generation: group.metadata.generation ?? 0,
    settled: ready?.status === 'True' && ready.observedGeneration === group.metadata.generation,
    add: usersOf('addMembers'),
    remove: usersOf('removeMembers'),
    declaredAnew: new Set([...reselected, ...created]),
    createdOf,
  };
}

export interface Judgement {
  /** What the memory holds for the group once the round's writes went through. */
  readonly record: RepairRecord | undefined;
  /** The round puts back a change to a member that an earlier round put back too. */
  readonly flapped: boolean;
  /** The flaps at this generation reached flapThreshold: membership is to be left alone. */
  readonly contested: boolean;
}

/**
 * Judges one round against the group's record. A record of another uid or generation is no
 * history. Once contested, status holds the decision: only the count is kept, not the members.
 */
export function judge(previous: RepairRecord | undefined, change: MembershipChange): Judgement {
  const current =
    previous?.uid === change.uid && previous.generation === change.generation
      ? previous
      : undefined;
  const changes = change.settled ? change.add.length + change.remove.length : 0;
  if (changes === 0 && change.declaredAnew.size === 0) {
    return { record: current, flapped: false, contested: (current?.flaps ?? 0) >= flapThreshold };
  }
  const repairs = new Map(current?.repairs);
  for (const user of change.declaredAnew) repairs.delete(user);
  let flapped = false;
  const putBack = (users: readonly string[], direction: RepairDirection): void => {
    for (const user of users) {
      if (change.declaredAnew.has(user)) continue;
      const created = change.createdOf(user);
      const earlier = repairs.get(user);
      if (earlier?.direction === direction && earlier.created === created) flapped = true;
      repairs.set(user, { direction, created });
    }
  };
  if (change.settled) {
    putBack(change.add, 'add');
    putBack(change.remove, 'remove');
  }
  const flaps = (current?.flaps ?? 0) + (flapped ? 1 : 0);
  const contested = flaps >= flapThreshold;
  const remembered = contested ? new Map<string, Repair>() : repairs;
  const record =
    remembered.size > 0 || flaps > 0
      ? { uid: change.uid, generation: change.generation, repairs: remembered, flaps }
      : undefined;
  return { record, flapped, contested };
}

/**
 * The records of every HubGroup with repairs, by object key, and the members that joined or left
 * each group by selector since its last round. Holds nothing for a group that needed no repair.
 */
export class MembershipRepairs {
  readonly #records = new Map<string, RepairRecord>();
  readonly #reselected = new Map<string, Set<string>>();

  /** `user` joined or left the group `groupKey` by its selector: its next change is no repair. */
  reselected(groupKey: string, user: string): void {
    let users = this.#reselected.get(groupKey);
    if (!users) this.#reselected.set(groupKey, (users = new Set()));
    users.add(user);
  }

  /** The members reselected since the last call, for one round of the group; forgets them. */
  takeReselected(groupKey: string): ReadonlySet<string> {
    const users = this.#reselected.get(groupKey) ?? new Set<string>();
    this.#reselected.delete(groupKey);
    return users;
  }

  recordOf(groupKey: string): RepairRecord | undefined {
    return this.#records.get(groupKey);
  }

  /** Keeps what a round's judgement left, once the round's writes went through. */
  keep(groupKey: string, record: RepairRecord | undefined): void {
    if (record) this.#records.set(groupKey, record);
    else this.#records.delete(groupKey);
  }

  /** The group's spec changed or it is gone: nothing it put back counts any more. */
  forget(groupKey: string): void {
    this.#records.delete(groupKey);
    this.#reselected.delete(groupKey);
  }

  /** What the memory costs: the groups it holds anything for, and the member names it holds. */
  get size(): { readonly groups: number; readonly members: number } {
    const groups = new Set([...this.#records.keys(), ...this.#reselected.keys()]);
    let members = 0;
    for (const record of this.#records.values()) members += record.repairs.size;
    for (const users of this.#reselected.values()) members += users.size;
    return { groups: groups.size, members };
  }
}
