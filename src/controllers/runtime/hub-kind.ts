/**
 * What a kind of hub object is to the operator, and what the kinds of one hub share. A kind
 * brings a reconciler, built from the shared parts, and the triggers that wake its objects
 * besides their own changes (a HubUser's label change, a hub user appearing); the setup of a
 * hub is a loop over its kinds (hub-controllers.ts).
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import type { HubServer } from '../../api/hubserver.ts';
import type { HubUser } from '../../api/hubuser.ts';
import type { Kind, KindDescriptor } from '../../api/meta.ts';
import type { Hub } from '../../hub/hub.ts';
import type { HubSnapshot } from '../../hub/snapshot.ts';
import type { Informer } from '../../kube/informer.ts';
import type { WorkQueue } from '../../kube/queue.ts';
import { buildController, buildQueue, type Controller, type ControllerDeps } from './controller.ts';
import type { HubActions } from './hub-actions.ts';
import type { KindObject, Reconciler } from './reconciler.ts';

/** The object type of each kind. */
export interface KindObjects {
  HubUser: HubUser;
  HubGroup: HubGroup;
  HubServer: HubServer;
}

/** A kind's cache as others see it: its objects and its change feed. */
export type Watched<T extends KindObject> = Pick<Informer<T>, 'onChange' | 'get'>;

/** The HubUsers of every watched namespace, looked up without walking the cache. */
export interface HubUserLookup {
  /** The cached HubUsers of `namespace`. */
  inNamespace(namespace: string): readonly HubUser[];
  /** The cached HubUsers, of any namespace, that declare `username`. */
  withUsername(username: string): readonly HubUser[];
  /** Whether a HubUser of `namespace` declares `username` (and so will create it). */
  manages(namespace: string, username: string): boolean;
}

/** What a kind's triggers may watch. */
export interface TriggerSources {
  readonly caches: { readonly [K in Kind]: Watched<KindObjects[K]> };
  readonly snapshot: Pick<HubSnapshot, 'onUserAppeared' | 'hasUser'>;
  readonly hubUsers: Pick<HubUserLookup, 'withUsername'>;
}

/** The parts every kind of one hub shares. */
export interface HubEnvironment extends TriggerSources {
  readonly hub: Hub;
  readonly snapshot: HubSnapshot;
  readonly actions: HubActions;
  readonly hubUsers: HubUserLookup;
  /** Every kind's cache, not yet started. */
  readonly informers: { readonly [K in Kind]: Informer<KindObjects[K]> };
}

/** A kind's own cache, and the queue its wakes go to. */
export interface Own<T extends KindObject> {
  readonly informer: Watched<T>;
  readonly queue: Pick<WorkQueue, 'add' | 'addAfter'>;
}

export interface HubKindParts<K extends Kind> {
  readonly descriptor: KindDescriptor<K>;
  /** Builds the reconciler; it may index its own objects and requeue them through `own`. */
  reconciler(env: HubEnvironment, own: Own<KindObjects[K]>): Reconciler<KindObjects[K]>;
  /** Wires what wakes this kind's objects besides their own changes. */
  triggers?(sources: TriggerSources, own: Own<KindObjects[K]>): void;
}

/** A kind, ready to be built into a controller for one hub. */
export interface HubKind {
  readonly descriptor: KindDescriptor;
  build(env: HubEnvironment, deps: ControllerDeps): Controller<KindObjects[Kind]>;
}

export function defineHubKind<K extends Kind>(parts: HubKindParts<K>): HubKind {
  return {
    descriptor: parts.descriptor,
    build(env, deps) {
      const informer = env.informers[parts.descriptor.kind] as Informer<KindObjects[K]>;
      const own = { informer, queue: buildQueue(parts.descriptor, deps) };
      const controller = buildController(parts.reconciler(env, own), own, deps);
      parts.triggers?.(env, own);
      return controller as unknown as Controller<KindObjects[Kind]>;
    },
  };
}
