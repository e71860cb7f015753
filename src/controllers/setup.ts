/**
 * Builds the hub controllers (HubUser, HubGroup, HubServer) around one hub: its snapshot, its user
 * batcher, one claim index per kind and the HubUser index, and wires the cross-kind triggers
 * (wake-dependants.ts).
 */
import type { HubGroup } from '../api/hubgroup.ts';
import type { HubServer } from '../api/hubserver.ts';
import type { HubUser } from '../api/hubuser.ts';
import type { Hub } from '../hub/hub.ts';
import { HubSnapshot } from '../hub/snapshot.ts';
import { UserBatcher } from '../hub/user-batcher.ts';
import { ClaimIndex } from './claims.ts';
import { buildController, type Controller, type ControllerDeps } from './controller.ts';
import { HubGroupReconciler, groupNameOf } from './hubgroup.ts';
import { HubServerReconciler } from './hubserver.ts';
import { HubUserReconciler, usernameOf } from './hubuser.ts';
import { HubUserIndex } from './hubuser-index.ts';
import { wakeDependants } from './wake-dependants.ts';
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
  const hubUsers = new HubUserIndex(users.informer);
  const groups = buildController(
    new HubGroupReconciler({ hub, snapshot, batcher, claims: groupClaims, hubUsers }),
    deps,
  );
  queues.users = users.queue;
  queues.groups = groups.queue;
  users.informer.onChange((change, object) => userClaims.observe(change, object));
  groups.informer.onChange((change, object) => groupClaims.observe(change, object));
  const servers = buildController(new HubServerReconciler({ hub, snapshot }), deps);
  wakeDependants({ users, groups, servers, snapshot, hubUsers });
  const resyncer = new Resyncer({
    snapshot,
    targets: [users.runner, groups.runner, servers.runner],
    clock: deps.clock,
    logger: deps.logger,
    periodMs: deps.resyncMs,
    hubBusy: () => hub.servers.starting(),
  });
  const all = [users, groups, servers] as unknown as Controller<HubUser | HubGroup | HubServer>[];
  return { users, groups, servers, snapshot, resyncer, all };
}
