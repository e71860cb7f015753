/**
 * What wakes a HubServer besides its own changes: it waits for its user. A change to a HubUser
 * of its username (not the operator's own status echo) and the hub user appearing in the
 * snapshot wake the HubServers of that username, found through a reverse index.
 */
import type { HubServer } from '../../api/hubserver.ts';
import { usernameOf } from '../../api/hubuser.ts';
import { ReverseIndex } from '../../kube/reverse-index.ts';
import { worthReconciling } from '../runtime/enqueue.ts';
import { nameInHub, type WakeTarget, type TriggerSources } from '../runtime/hub-kind.ts';

export function hubServerTriggers(sources: TriggerSources, servers: WakeTarget<HubServer>): void {
  const serving = new ReverseIndex(servers.informer, (server) => [
    nameInHub(sources.hubs.keyOf(server), server.spec.username),
  ]);
  const wake = (hubKey: string, username: string): void => {
    for (const key of serving.keysFor(nameInHub(hubKey, username))) servers.queue.add(key);
  };
  sources.informers.HubUser.onChange((change, object, previous) => {
    // A status write of the HubUser's own round is no news to its servers.
    if (change === 'updated' && previous && !worthReconciling(previous, object)) return;
    wake(sources.hubs.keyOf(object), usernameOf(object));
  });
  sources.hubs.onUserAppeared(wake);
}
