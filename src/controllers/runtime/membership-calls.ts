/**
 * The calls that change a hub group's members, and what a refusal over a user the hub does not
 * know ("No such user") teaches: the snapshot forgets the user and takes the group afresh; an
 * add or a create is planned again, a removal sends the rest of its names.
 */
import { HubError } from '../../hub/errors.ts';
import type { Hub } from '../../hub/hub.ts';
import type { HubGroup } from '../../hub/models.ts';
import type { HubSnapshot } from '../../hub/snapshot.ts';
import type { Priority } from '../../priority.ts';
import { StaleSnapshot } from './replanning.ts';

export interface MembershipDeps {
  readonly hub: Hub;
  readonly snapshot: HubSnapshot;
}

/** Adds `users`; throws StaleSnapshot when one of them is gone from the hub. */
export async function addMembers(
  deps: MembershipDeps,
  name: string,
  users: readonly string[],
  priority: Priority,
): Promise<HubGroup | undefined> {
  const group = await deps.hub.groups
    .addMembers(name, users, { priority })
    .catch((err: unknown) => refusedOverGoneUser(deps, err, name, priority));
  if (group) deps.snapshot.recordGroup(group);
  return group ?? undefined;
}

/**
 * Removes `users`, minus those deleted from the hub meanwhile: a deleted user is no member, yet
 * the hub refuses the whole call over it. Their own HubUsers' finalizers often delete them while
 * this runs, one after another, so each refusal re-reads the group and sends the rest instead of
 * planning again (which gives up after a few rounds): every round drops at least the refused name.
 */
export async function removeMembers(
  deps: MembershipDeps,
  name: string,
  users: readonly string[],
  priority: Priority,
): Promise<HubGroup | undefined> {
  const { hub, snapshot } = deps;
  for (let rest = users; ;) {
    try {
      const group = await hub.groups.removeMembers(name, rest, { priority });
      if (group) snapshot.recordGroup(group);
      return group ?? undefined;
    } catch (err) {
      const gone = goneUser(err);
      if (gone === undefined) throw err;
      snapshot.forgetUser(gone);
      const fresh = await freshGroup(deps, name, priority);
      if (!fresh) throw new StaleSnapshot(`hub group ${name} is gone`);
      const members = new Set(fresh.users);
      rest = rest.filter((user) => user !== gone && members.has(user));
      if (rest.length === 0) return fresh;
    }
  }
}

/**
 * For a refused create or add: when the hub does not know a member (deleted by hand since the
 * sweep), the snapshot learns it and StaleSnapshot asks for a new plan; anything else rethrows.
 */
export async function refusedOverGoneUser(
  deps: MembershipDeps,
  err: unknown,
  name: string,
  priority: Priority,
): Promise<never> {
  const gone = goneUser(err);
  if (gone === undefined) throw err;
  deps.snapshot.forgetUser(gone);
  await freshGroup(deps, name, priority);
  throw new StaleSnapshot(`hub user ${gone} is gone`);
}

/** Reads the group afresh into the snapshot (forgetting it when gone); null when gone. */
export async function freshGroup(
  deps: MembershipDeps,
  name: string,
  priority: Priority,
): Promise<HubGroup | null> {
  const fresh = await deps.hub.groups.get(name, { priority });
  if (fresh) deps.snapshot.recordGroup(fresh);
  else deps.snapshot.forgetGroup(name);
  return fresh;
}

/** The user a membership call was refused over because the hub does not know it. */
function goneUser(err: unknown): string | undefined {
  return err instanceof HubError && err.code === 'HUB_INVALID'
    ? /No such user: (.+)$/.exec(err.message)?.[1]
    : undefined;
}
