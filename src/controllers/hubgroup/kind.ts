/**
 * The HubGroup kind: its reconciler over the hub's shared parts and the HubUsers its members
 * come from, the index of which HubGroup holds each group name, its triggers, and the memory of
 * membership repairs that the triggers and the reconciler share (with its flap counter).
 */
import { groupNameOf, type HubGroup } from '../../api/hubgroup.ts';
import { hubLabel } from '../../api/hub-ref.ts';
import { kinds } from '../../api/meta.ts';
import { defineHubKind, nameInHub, type HubKind } from '../runtime/hub-kind.ts';
import { claimsOf, mayHoldName } from '../runtime/name-claims.ts';
import { MembershipRepairs } from './membership-repairs.ts';
import { HubGroupReconciler } from './reconciler.ts';
import { hubGroupTriggers } from './triggers.ts';

export const hubGroupKind: HubKind = {
  descriptor: kinds.HubGroup,
  build(env, deps) {
    // One memory per controller, shared by its reconciler and its triggers.
    const repairs = new MembershipRepairs();
    return defineHubKind({
      descriptor: kinds.HubGroup,
      reconciler: (_env, own) =>
        new HubGroupReconciler({
          hubs: env.hubs,
          hubUsers: env.hubUsers,
          claims: claimsOf(
            own,
            (group: HubGroup) => nameInHub(env.hubs.keyOf(group), groupNameOf(group)),
            (group) => mayHoldName(env.hubs, group),
          ),
          repairs,
          flapped: (hubKey) => deps.metrics.groupMembershipFlaps.inc({ hub: hubLabel(hubKey) }),
        }),
      triggers: (sources, own) => hubGroupTriggers(sources, own, repairs),
    }).build(env, deps);
  },
};
