/**
 * What wakes a HubGroup besides its own changes: the HubUsers it selects, and the hub users it
 * waits for. And what the memory of its repairs must hear: who joins or leaves it by selector
 * (a change of what it declares, not a repair), and that its spec changed or it is gone. Lookups
 * go through reverse indexes, so a cohort of 10,000 costs O(changes).
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import { usernameOf, type HubUser } from '../../api/hubuser.ts';
import { keyOf, parseKey } from '../../api/meta.ts';
import { ReverseIndex } from '../../kube/reverse-index.ts';
import { matchesSelector } from '../../plan/selector.ts';
import { nameInHub, type WakeTarget, type TriggerSources } from '../runtime/hub-kind.ts';
import { groupWakeDelayMs } from '../runtime/timings.ts';
import type { MembershipRepairs } from './membership-repairs.ts';

/** Groups up to this size are checked for their last awaited member on each appearance. */
const completionCheckLimit = 200;

/**
 * A HubUser added, deleted, being deleted or relabelled wakes the groups of its namespace and hub
 * whose selector matched it before or after; a hub user appearing that a HubUser declares wakes
 * the groups that list or select it, at once when it was the last member a listing group lacked,
 * else after a delay that gathers the rest of its wave. A HubUser that starts or stops being
 * selected (created, relabelled, deleted) is told to `repairs` for each group it joins or leaves;
 * a group whose spec changed, or that is deleted, is forgotten by it.
 */
export function hubGroupTriggers(
  sources: TriggerSources,
  groups: WakeTarget<HubGroup>,
  repairs: Pick<MembershipRepairs, 'reselected' | 'forget'>,
): void {
  const { informers, hubs, hubUsers } = sources;
  groups.informer.onChange((change, group, previous) => {
    if (change === 'deleted' || previous?.metadata.generation !== group.metadata.generation)
      repairs.forget(keyOf(group.metadata.namespace, group.metadata.name));
  });
  const listing = new ReverseIndex(groups.informer, (group) =>
    (group.spec.members ?? []).map((member) => nameInHub(hubs.keyOf(group), member)),
  );
  const selecting = new ReverseIndex(groups.informer, (group) =>
    group.spec.memberSelector ? [group.metadata.namespace] : [],
  );
  const wakeLater = (key: string): void => groups.queue.addAfter(key, groupWakeDelayMs);
  type Selector = NonNullable<HubGroup['spec']['memberSelector']>;
  /** As the group's plan has it: a HubUser being deleted is no member by selector. */
  const selects = (selector: Selector, user: HubUser | undefined): boolean =>
    user !== undefined &&
    !user.metadata.deletionTimestamp &&
    matchesSelector(user.metadata.labels, selector);
  /** `before` and `after` are the HubUser's versions; undefined where it did not exist. */
  const wakeSelecting = (
    user: HubUser,
    before: HubUser | undefined,
    after: HubUser | undefined,
  ) => {
    const { namespace } = user.metadata;
    for (const key of selecting.keysFor(namespace)) {
      const group = groups.informer.get(namespace, parseKey(key).name);
      const selector = group?.spec.memberSelector;
      if (!selector || hubs.keyOf(group) !== hubs.keyOf(user)) continue;
      const versions = [before, after].filter((version) => version !== undefined);
      if (!versions.some((version) => matchesSelector(version.metadata.labels, selector))) continue;
      wakeLater(key);
      if (selects(selector, before) !== selects(selector, after))
        repairs.reselected(key, usernameOf(user));
    }
  };

  informers.HubUser.onChange((change, object, previous) => {
    if (change === 'deleted') return wakeSelecting(object, previous ?? object, undefined);
    if (!previous) return wakeSelecting(object, undefined, object);
    const { labels, deletionTimestamp } = object.metadata;
    const unchanged =
      previous.metadata.deletionTimestamp === deletionTimestamp &&
      JSON.stringify(previous.metadata.labels ?? {}) === JSON.stringify(labels ?? {});
    if (!unchanged) wakeSelecting(object, previous, object);
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
    for (const user of declaring) wakeSelecting(user, user, user);
  });
}
