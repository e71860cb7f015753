/**
 * Builds the hub controllers (HubUser, HubGroup) around one hub: its snapshot, its user
 * batcher and one claim index per kind, and wires the cross-kind trigger: a HubUser change
 * re-evaluates the HubGroups of its namespace that select members by label.
 */
import type { HubGroup } from '../api/hubgroup.ts';
import type { HubUser } from '../api/hubuser.ts';
import { keyOf } from '../api/meta.ts';
import type { Hub } from '../hub/hub.ts';
import { HubSnapshot } from '../hub/snapshot.ts';
import { UserBatcher } from '../hub/user-batcher.ts';
import { ClaimIndex } from './claims.ts';
import { buildController, type Controller, type ControllerDeps } from './controller.ts';
import { HubGroupReconciler, groupNameOf } from './hubgroup.ts';
import { HubUserReconciler, usernameOf } from './hubuser.ts';
import { Resyncer } from './resync.ts';
import type { WorkQueue } from '../kube/queue.ts';

export interface HubControllers {
  readonly users: Controller<HubUser>;
  readonly groups: Controller<HubGroup>;
  readonly snapshot: HubSnapshot;
  readonly resyncer: Resyncer;
  readonly all: readonly Controller<HubUser | HubGroup>[];
}

export function buildHubControllers(
  hub: Hub,
  deps: ControllerDeps & { resyncMs: number },
): HubControllers {
  const snapshot = new HubSnapshot(hub);
  const batcher = new UserBatcher(hub.users, deps.clock);
  // The claim indexes requeue a released name's next claimant, in queues built just below.
  const queues: { users?: WorkQueue; groups?: WorkQueue } = {};
  const userClaims = new ClaimIndex<HubUser>(usernameOf, (key) => queues.users?.add(key));
  const groupClaims = new ClaimIndex<HubGroup>(groupNameOf, (key) => queues.groups?.add(key));
  const users = buildController(
    new HubUserReconciler({ hub, snapshot, batcher, claims: userClaims }),
    deps,
  );
  const userInformer = users.informer;
  const groups = buildController(
    new HubGroupReconciler({
      hub,
      snapshot,
      batcher,
      claims: groupClaims,
      hubUsersIn: (namespace) =>
        userInformer.list().filter((u) => u.metadata.namespace === namespace),
    }),
    deps,
  );
  queues.users = users.queue;
  queues.groups = groups.queue;
  users.informer.onChange((change, object) => userClaims.observe(change, object));
  groups.informer.onChange((change, object) => groupClaims.observe(change, object));
  users.informer.onChange((change, object, previous) => {
    const labelsChanged =
      change !== 'updated' ||
      JSON.stringify(previous?.metadata.labels ?? {}) !==
        JSON.stringify(object.metadata.labels ?? {});
    if (!labelsChanged) return;
    for (const group of groups.informer.list()) {
      if (group.metadata.namespace === object.metadata.namespace && group.spec.memberSelector) {
        groups.queue.add(keyOf(group.metadata.namespace, group.metadata.name));
      }
    }
  });
  const resyncer = new Resyncer({
    snapshot,
    targets: [users.runner, groups.runner],
    clock: deps.clock,
    logger: deps.logger,
    periodMs: deps.resyncMs,
  });
  return {
    users,
    groups,
    snapshot,
    resyncer,
    all: [users, groups] as Controller<HubUser | HubGroup>[],
  };
}
