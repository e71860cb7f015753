/**
 * The controllers of one hub: the hub's shared parts (its snapshot, the user batcher, the one
 * action executor, every kind's cache and the HubUser lookups), then one controller per kind,
 * each wiring its own triggers, and the resync over them all.
 */
import type { Kind } from '../api/meta.ts';
import type { Hub } from '../hub/hub.ts';
import { HubSnapshot } from '../hub/snapshot.ts';
import { UserBatcher } from '../hub/user-batcher.ts';
import { hubGroupKind } from './hubgroup/kind.ts';
import { hubServerKind } from './hubserver/kind.ts';
import { HubUserIndex } from './hubuser/hubuser-index.ts';
import { hubUserKind } from './hubuser/kind.ts';
import { buildInformer, type Controller, type ControllerDeps } from './runtime/controller.ts';
import { HubActions } from './runtime/hub-actions.ts';
import type { HubEnvironment, KindObjects } from './runtime/hub-kind.ts';
import { Resyncer } from './runtime/resync.ts';

/** The kinds every hub serves, in the order their controllers are built. */
export const hubKinds = [hubUserKind, hubGroupKind, hubServerKind] as const;

export interface HubControllers {
  readonly snapshot: HubSnapshot;
  readonly resyncer: Resyncer;
  readonly all: readonly Controller<KindObjects[Kind]>[];
}

export function buildHubControllers(
  hub: Hub,
  deps: ControllerDeps & { resyncMs: number },
): HubControllers {
  const snapshot = new HubSnapshot(hub);
  const actions = new HubActions({
    hub,
    snapshot,
    batcher: new UserBatcher(hub.users, deps.clock),
  });
  const informers = {
    HubUser: buildInformer<KindObjects['HubUser']>(hubUserKind.descriptor, deps),
    HubGroup: buildInformer<KindObjects['HubGroup']>(hubGroupKind.descriptor, deps),
    HubServer: buildInformer<KindObjects['HubServer']>(hubServerKind.descriptor, deps),
  };
  const env: HubEnvironment = {
    hub,
    snapshot,
    actions,
    informers,
    caches: informers,
    hubUsers: new HubUserIndex(informers.HubUser),
  };
  const all = hubKinds.map((kind) => kind.build(env, deps));
  const resyncer = new Resyncer({
    snapshot,
    targets: all.map((controller) => controller.runner),
    clock: deps.clock,
    logger: deps.logger,
    periodMs: deps.resyncMs,
    hubBusy: () => hub.servers.starting(),
  });
  return { snapshot, resyncer, all };
}
