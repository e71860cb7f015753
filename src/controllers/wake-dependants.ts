/**
 * The cross-kind triggers. A HubGroup waits for the HubUsers that will create its members and
 * a HubServer for its user: each is woken when that changes, looked up in a reverse index, so
 * a cohort of 10,000 costs O(changes) rather than every group polling every HubUser.
 */
import type { HubGroup } from '../api/hubgroup.ts';
import type { HubServer } from '../api/hubserver.ts';
import type { HubUser } from '../api/hubuser.ts';
import { parseKey } from '../api/meta.ts';
import type { HubSnapshot } from '../hub/snapshot.ts';
import type { Informer } from '../kube/informer.ts';
import type { WorkQueue } from '../kube/queue.ts';
import { matchesSelector } from '../plan/selector.ts';
import { usernameOf } from './hubuser.ts';
import type { HubUserIndex } from './hubuser-index.ts';
import type { KindObject } from './reconciler.ts';
import { ReverseIndex } from './reverse-index.ts';

/** A second's delay coalesces a burst (a cohort applied at once, a bulk create of 25). */
const groupWakeDelayMs = 1_000;
/** Groups up to this size are checked for their last awaited member on each appearance. */
const completionCheckLimit = 200;

/** The parts of a controller a trigger touches: its cache and its queue. */
interface Woken<T extends KindObject> {
  readonly informer: Pick<Informer<T>, 'onChange' | 'get'>;
  readonly queue: Pick<WorkQueue, 'add' | 'addAfter'>;
}

export interface Dependants {
  readonly users: Pick<Woken<HubUser>, 'informer'>;
  readonly groups: Woken<HubGroup>;
  readonly servers: Woken<HubServer>;
  readonly snapshot: Pick<HubSnapshot, 'onUserAppeared' | 'hasUser'>;
  readonly hubUsers: Pick<HubUserIndex, 'withUsername'>;
}

/**
 * Wires: a HubUser added, deleted, being deleted or relabelled wakes the HubGroups of its
 * namespace whose selector matched it before or after; a HubUser's change wakes the HubServers
 * of its username; a hub user appearing in the snapshot wakes the HubServers of that name and,
 * when a HubUser declares it, the HubGroups that list or select it (they were waiting for it):
 * at once when it was the last member a listing group lacked, else after a delay that gathers
 * the rest of its wave.
 */
export function wakeDependants({ users, groups, servers, snapshot, hubUsers }: Dependants): void {
  const listing = new ReverseIndex(groups.informer, (group) => group.spec.members ?? []);
  const selecting = new ReverseIndex(groups.informer, (group) =>
    group.spec.memberSelector ? [group.metadata.namespace] : [],
  );
  const serving = new ReverseIndex(servers.informer, (server) => [server.spec.username]);

  const wakeGroup = (key: string): void => groups.queue.addAfter(key, groupWakeDelayMs);
  const wakeServers = (username: string): void => {
    for (const key of serving.keysFor(username)) servers.queue.add(key);
  };
  type Labels = HubUser['metadata']['labels'];
  const wakeSelecting = (namespace: string, ...labelSets: Labels[]): void => {
    for (const key of selecting.keysFor(namespace)) {
      const { name } = parseKey(key);
      const selector = groups.informer.get(namespace, name)?.spec.memberSelector;
      if (selector && labelSets.some((labels) => matchesSelector(labels, selector))) wakeGroup(key);
    }
  };

  users.informer.onChange((change, object, previous) => {
    wakeServers(usernameOf(object));
    const { labels, deletionTimestamp } = object.metadata;
    if (!previous) return wakeSelecting(object.metadata.namespace, labels);
    const same =
      change === 'updated' &&
      previous.metadata.deletionTimestamp === deletionTimestamp &&
      JSON.stringify(previous.metadata.labels ?? {}) === JSON.stringify(labels ?? {});
    if (!same) wakeSelecting(object.metadata.namespace, labels, previous.metadata.labels);
  });
  snapshot.onUserAppeared((username) => {
    wakeServers(username);
    const declaring = hubUsers.withUsername(username);
    // Created by a group for itself, or read after a create outside: no group waits for it.
    if (declaring.length === 0) return;
    for (const key of listing.keysFor(username)) {
      const { namespace, name } = parseKey(key);
      const members = groups.informer.get(namespace, name)?.spec.members ?? [];
      // The last member it waited for: no reason to wait for more of the wave.
      const complete =
        members.length <= completionCheckLimit && members.every((m) => snapshot.hasUser(m));
      if (complete) groups.queue.add(key);
      else wakeGroup(key);
    }
    for (const user of declaring) wakeSelecting(user.metadata.namespace, user.metadata.labels);
  });
}
