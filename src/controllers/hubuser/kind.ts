/**
 * The HubUser kind: its reconciler over the hub's shared parts, and the index of which HubUser
 * holds each username; when the holder goes, the next claimant is woken to take over.
 */
import { usernameOf, type HubUser } from '../../api/hubuser.ts';
import { kinds } from '../../api/meta.ts';
import { defineHubKind, nameInHub } from '../runtime/hub-kind.ts';
import { adminGrant } from '../../plan/tenancy.ts';
import { claimsOf, mayHoldName } from '../runtime/name-claims.ts';
import { HubUserReconciler } from './reconciler.ts';

export const hubUserKind = defineHubKind({
  descriptor: kinds.HubUser,
  reconciler: (env, own) =>
    new HubUserReconciler({
      hubs: env.hubs,
      claims: claimsOf(
        own,
        (user: HubUser) => nameInHub(env.hubs.keyOf(user), usernameOf(user)),
        (user) =>
          mayHoldName(env.hubs, user, (unit) =>
            adminGrant(unit.policy, user.metadata.namespace, user.spec.admin),
          ),
      ),
    }),
});
