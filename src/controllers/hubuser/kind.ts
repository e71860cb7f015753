/**
 * The HubUser kind: its reconciler over the hub's shared parts, and the index of which HubUser
 * holds each username; when the holder goes, the next claimant is woken to take over.
 */
import { usernameOf } from '../../api/hubuser.ts';
import { kinds } from '../../api/meta.ts';
import { defineHubKind } from '../runtime/hub-kind.ts';
import { claimsOf } from '../runtime/name-claims.ts';
import { HubUserReconciler } from './reconciler.ts';

export const hubUserKind = defineHubKind({
  descriptor: kinds.HubUser,
  reconciler: (env, own) => new HubUserReconciler({ ...env, claims: claimsOf(own, usernameOf) }),
});
