/**
 * Builds the hub controllers (HubUser, HubGroup, HubServer) around one hub: its snapshot, its user
 * batcher and one claim index per kind, and wires the cross-kind triggers: a HubUser change
 * re-evaluates the HubGroups of its namespace that select members by label, and the
 * HubServers of its username.
 */
import type { HubGroup } from '../api/hubgroup.ts';
import type { HubServer } from '../api/hubserver.ts';
import type { HubUser } from '../api/hubuser.ts';
import { keyOf } from '../api/meta.ts';
import type { Hub } from '../hub/hub.ts';
import { HubSnapshot } from '../hub/snapshot.ts';
import { UserBatcher } from '../hub/user-batcher.ts';
import { ClaimIndex } from './claims.ts';
import { buildController, type Controller, type ControllerDeps } from './controller.ts';
import { HubGroupReconciler, groupNameOf } from './hubgroup.ts';
import { HubServerReconciler } from './hubserver.ts';
import { HubUserReconciler, usernameOf } from './hubuser.ts';
import { Resyncer } from './resync.ts';
import type { WorkQueue } from '../kube/queue.ts';

export interface HubControllers {
  readonly users: Controller<HubUser>;
  readonly groups: Controller<HubGroup>;
  readonly servers: Controller<HubServer>;
  readonly snapshot: HubSnapshot;
  readonly resyncer: Resyncer;
  readonly all: readonly Controller<HubUser | HubGroup | HubServer>[];
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
        // A second's delay coalesces a burst of HubUser changes (a cohort applied at once).
        groups.queue.addAfter(keyOf(group.metadata.namespace, group.metadata.name), 1_000);
      }
    }
  });
  const servers = buildController(new HubServerReconciler({ hub, snapshot }), deps);
  // A HubServer waiting for its user hears as soon as the HubUser changes (e.g. it was created).
  users.informer.onChange((_change, object) => {
    const username = usernameOf(object);
    for (const server of servers.informer.list()) {
      if (server.spec.username === username)
        servers.queue.add(keyOf(server.metadata.namespace, server.metadata.name));
    }
  });
  const resyncer = new Resyncer({
    snapshot,
    targets: [users.runner, groups.runner, servers.runner],
    clock: deps.clock,
    logger: deps.logger,
    periodMs: deps.resyncMs,
  });
  const all = [users, groups, servers] as unknown as Controller<HubUser | HubGroup | HubServer>[];
  return { users, groups, servers, snapshot, resyncer, all };
}
