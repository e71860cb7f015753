/**
 * What wakes a HubGroup besides its own changes. It waits for the HubUsers that will create
 * its members and selects HubUsers by label: a HubUser added, deleted, being deleted or
 * relabelled wakes the groups of its namespace whose selector matched it before or after; a hub
 * user appearing that a HubUser declares wakes the groups that list or select it, at once when
 * it was the last member a listing group lacked, else after a delay that gathers the rest of its
 * wave. Lookups go through reverse indexes: a cohort of 10,000 costs O(changes).
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import type { HubUser } from '../../api/hubuser.ts';
import { parseKey } from '../../api/meta.ts';
import { ReverseIndex } from '../../kube/reverse-index.ts';
import { matchesSelector } from '../../plan/selector.ts';
import type { Own, TriggerSources } from '../runtime/hub-kind.ts';
import { groupWakeDelayMs } from '../runtime/timings.ts';

/** Groups up to this size are checked for their last awaited member on each appearance. */
const completionCheckLimit = 200;

export function hubGroupTriggers(sources: TriggerSources, groups: Own<HubGroup>): void {
  const { caches, snapshot, hubUsers } = sources;
  const listing = new ReverseIndex(groups.informer, (group) => group.spec.members ?? []);
  const selecting = new ReverseIndex(groups.informer, (group) =>
    group.spec.memberSelector ? [group.metadata.namespace] : [],
  );
  const wakeLater = (key: string): void => groups.queue.addAfter(key, groupWakeDelayMs);
  type Labels = HubUser['metadata']['labels'];
  const wakeSelecting = (namespace: string, ...labelSets: Labels[]): void => {
    for (const key of selecting.keysFor(namespace)) {
      const { name } = parseKey(key);
      const selector = groups.informer.get(namespace, name)?.spec.memberSelector;
      if (selector && labelSets.some((labels) => matchesSelector(labels, selector))) wakeLater(key);
    }
  };

  caches.HubUser.onChange((change, object, previous) => {
    const { labels, deletionTimestamp } = object.metadata;
    if (!previous) return wakeSelecting(object.metadata.namespace, labels);
    const unchanged =
      change === 'updated' &&
      previous.metadata.deletionTimestamp === deletionTimestamp &&
      JSON.stringify(previous.metadata.labels ?? {}) === JSON.stringify(labels ?? {});
    if (!unchanged) wakeSelecting(object.metadata.namespace, labels, previous.metadata.labels);
  });
  snapshot.onUserAppeared((username) => {
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
      else wakeLater(key);
    }
    for (const user of declaring) wakeSelecting(user.metadata.namespace, user.metadata.labels);
  });
}
