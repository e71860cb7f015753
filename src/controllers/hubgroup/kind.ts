/**
 * The HubGroup kind: its reconciler over the hub's shared parts and the HubUsers its members
 * come from, the index of which HubGroup holds each group name, and its triggers.
 */
import { groupNameOf, type HubGroup } from '../../api/hubgroup.ts';
import { kinds } from '../../api/meta.ts';
import { defineHubKind, nameInHub } from '../runtime/hub-kind.ts';
import { claimsOf, mayHoldName } from '../runtime/name-claims.ts';
import { HubGroupReconciler } from './reconciler.ts';
import { hubGroupTriggers } from './triggers.ts';

export const hubGroupKind = defineHubKind({
  descriptor: kinds.HubGroup,
  reconciler: (env, own) =>
    new HubGroupReconciler({
      hubs: env.hubs,
      hubUsers: env.hubUsers,
      claims: claimsOf(
        own,
        (group: HubGroup) => nameInHub(env.hubs.keyOf(group), groupNameOf(group)),
        (group) => mayHoldName(env.hubs, group),
      ),
    }),
  triggers: hubGroupTriggers,
});
