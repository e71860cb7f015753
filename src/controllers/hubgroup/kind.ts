/**
 * The HubGroup kind: its reconciler over the hub's shared parts and the HubUsers its members
 * come from, the index of which HubGroup holds each group name, and its triggers.
 */
import { groupNameOf } from '../../api/hubgroup.ts';
import { kinds } from '../../api/meta.ts';
import { defineHubKind } from '../runtime/hub-kind.ts';
import { claimsOf } from '../runtime/name-claims.ts';
import { HubGroupReconciler } from './reconciler.ts';
import { hubGroupTriggers } from './triggers.ts';

export const hubGroupKind = defineHubKind({
  descriptor: kinds.HubGroup,
  reconciler: (env, own) => new HubGroupReconciler({ ...env, claims: claimsOf(own, groupNameOf) }),
  triggers: hubGroupTriggers,
});
