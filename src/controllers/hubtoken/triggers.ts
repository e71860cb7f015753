/**
 * What wakes a HubToken besides its own changes: its Secret changing or going (someone deleted
 * or edited it: the token may have been seen), and a HubUser of its username changing (its
 * ownership decides whether the namespace may have a token of that user) or appearing in the hub.
 */
import type { HubToken } from '../../api/hubtoken.ts';
import { usernameOf } from '../../api/hubuser.ts';
import { keyOf } from '../../api/meta.ts';
import { ReverseIndex } from '../../kube/reverse-index.ts';
import { worthReconciling } from '../runtime/enqueue.ts';
import { nameInHub, type TriggerSources, type WakeTarget } from '../runtime/hub-kind.ts';

export function hubTokenTriggers(sources: TriggerSources, tokens: WakeTarget<HubToken>): void {
  const byUsername = new ReverseIndex(tokens.informer, (token) => [
    nameInHub(sources.hubs.keyOf(token), token.spec.username),
  ]);
  const wake = (hubKey: string, username: string): void => {
    for (const key of byUsername.keysFor(nameInHub(hubKey, username))) tokens.queue.add(key);
  };
  sources.informers.HubUser.onChange((change, object, previous) => {
    if (change === 'updated' && previous && !worthReconciling(previous, object)) return;
    wake(sources.hubs.keyOf(object), usernameOf(object));
  });
  sources.hubs.onUserAppeared(wake);
  sources.tokenSecrets.onChange((_change, secret) => {
    for (const owner of secret.metadata.ownerReferences ?? [])
      if (owner.kind === 'HubToken')
        tokens.queue.add(keyOf(secret.metadata.namespace, owner.name), 'interactive');
  });
}
