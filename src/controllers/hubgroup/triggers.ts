/**
 * What wakes a HubGroup besides its own changes: the HubUsers it selects, and the hub users it
 * waits for. Lookups go through reverse indexes, so a cohort of 10,000 costs O(changes).
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import type { HubUser } from '../../api/hubuser.ts';
import { parseKey } from '../../api/meta.ts';
import { ReverseIndex } from '../../kube/reverse-index.ts';
import { matchesSelector } from '../../plan/selector.ts';
import { nameInHub, type WakeTarget, type TriggerSources } from '../runtime/hub-kind.ts';
import { groupWakeDelayMs } from '../runtime/timings.ts';

/** Groups up to this size are checked for their last awaited member on each appearance. */
const completionCheckLimit = 200;

/**
 * A HubUser added, deleted, being deleted or relabelled wakes the groups of its namespace and hub
 * whose selector matched it before or after; a hub user appearing that a HubUser declares wakes
 * the groups that list or select it, at once when it was the last member a listing group lacked,
 * else after a delay that gathers the rest of its wave.
 */
export function hubGroupTriggers(sources: TriggerSources, groups: WakeTarget<HubGroup>): void {
  const { informers, hubs, hubUsers } = sources;
  const listing = new ReverseIndex(groups.informer, (group) =>
    (group.spec.members ?? []).map((member) => nameInHub(hubs.keyOf(group), member)),
  );
  const selecting = new ReverseIndex(groups.informer, (group) =>
    group.spec.memberSelector ? [group.metadata.namespace] : [],
  );
  const wakeLater = (key: string): void => groups.queue.addAfter(key, groupWakeDelayMs);
  type Labels = HubUser['metadata']['labels'];
  const wakeSelecting = (user: HubUser, ...labelSets: Labels[]): void => {
    const { namespace } = user.metadata;
    for (const key of selecting.keysFor(namespace)) {
      const group = groups.informer.get(namespace, parseKey(key).name);
      const selector = group?.spec.memberSelector;
      if (!selector || hubs.keyOf(group) !== hubs.keyOf(user)) continue;
      if (labelSets.some((labels) => matchesSelector(labels, selector))) wakeLater(key);
    }
  };

  informers.HubUser.onChange((change, object, previous) => {
    const { labels, deletionTimestamp } = object.metadata;
    if (!previous) return wakeSelecting(object, labels);
    const unchanged =
      change === 'updated' &&
      previous.metadata.deletionTimestamp === deletionTimestamp &&
      JSON.stringify(previous.metadata.labels ?? {}) === JSON.stringify(labels ?? {});
    if (!unchanged) wakeSelecting(object, labels, previous.metadata.labels);
  });
  hubs.onUserAppeared((hubKey, username) => {
    const declaring = hubUsers.withUsername(hubKey, username);
    // Created by a group for itself, or read after a create outside: no group waits for it.
    if (declaring.length === 0) return;
    const snapshot = hubs.get(hubKey)?.snapshot;
    for (const key of listing.keysFor(nameInHub(hubKey, username))) {
      const { namespace, name } = parseKey(key);
      const members = groups.informer.get(namespace, name)?.spec.members ?? [];
      // The last member it waited for: no reason to wait for more of the wave.
      const complete =
        members.length <= completionCheckLimit &&
        members.every((member) => snapshot?.hasUser(member) === true);
      if (complete) groups.queue.add(key);
      else wakeLater(key);
    }
    for (const user of declaring) wakeSelecting(user, user.metadata.labels);
  });
}
