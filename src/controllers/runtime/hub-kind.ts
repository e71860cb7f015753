/**
 * What a declaring kind (HubUser, HubGroup, HubServer) is to the operator, and what the kinds
 * share: the hubs, every kind's cache and the HubUser lookups. A kind brings a reconciler, built
 * from the shared parts, and the triggers that wake its objects besides their own changes (a
 * HubUser's label change, a hub user appearing); the setup is a loop over the kinds
 * (hub-controllers.ts).
 */
import type { HubGroup } from '../../api/hubgroup.ts';
import type { HubServer } from '../../api/hubserver.ts';
import type { HubToken } from '../../api/hubtoken.ts';
import type { HubUser } from '../../api/hubuser.ts';
import type { DeclaringKind, KindDescriptor } from '../../api/meta.ts';
import type { Informer } from '../../kube/informer.ts';
import type { SecretObject } from '../../kube/secrets.ts';
import type { WorkQueue } from '../../kube/queue.ts';
import {
  buildController,
  buildQueue,
  type ControllerDeps,
  type ControllerHandle,
} from './controller.ts';
import type { HubDirectory } from './hub-directory.ts';
import type { KindObject, Reconciler } from './reconciler.ts';

/**
 * A hub name (a username, a group name) together with the hub it is in, as one index term: the
 * same username in two hubs is two users. NUL is in neither a hub key nor a hub name.
 */
export function nameInHub(hubKey: string, name: string): string {
  return `${hubKey}\u0000${name}`;
}

/** The object type of each kind. */
export interface KindObjects {
  HubUser: HubUser;
  HubGroup: HubGroup;
  HubServer: HubServer;
  HubToken: HubToken;
}

/** A kind's cache as others see it: its objects and its change feed. */
export type Watched<T extends KindObject> = Pick<Informer<T>, 'onChange' | 'get'>;

/** The HubUsers of every watched namespace, looked up without walking the cache. */
export interface HubUserLookup {
  /** The cached HubUsers of `namespace`, of every hub. */
  inNamespace(namespace: string): readonly HubUser[];
  /** The cached HubUsers, of any namespace, that declare `username` in the hub `hubKey`. */
  withUsername(hubKey: string, username: string): readonly HubUser[];
  /**
   * Whether a HubUser of `namespace` manages `username` in hub `hubKey` (so will create it); an
   * observed-only HubUser does not.
   */
  manages(hubKey: string, namespace: string, username: string): boolean;
  /**
   * Whether the HubUser that declares `username` in hub `hubKey` (in any namespace: names are
   * claimed once per hub) leaves it deleted, deleted outside hubops and its spec respecting that:
   * no group creates it or waits for it.
   */
  deletedInHub(hubKey: string, username: string): boolean;
  /** Whether a HubUser of `namespace` declares `username` in the hub `hubKey` and created it. */
  owns(hubKey: string, namespace: string, username: string): boolean;
  /**
   * Whether a HubUser of `namespace` declares `username` in hub `hubKey` and has not been
   * reconciled since its last change, so may be about to create it: whether it owns the user is
   * not known yet.
   */
  ownershipPending(hubKey: string, namespace: string, username: string): boolean;
}

/** What a kind's triggers may watch. */
export interface TriggerSources {
  readonly informers: { readonly [K in DeclaringKind]: Watched<KindObjects[K]> };
  /** Hub users appearing in any hub's snapshot, and what each snapshot holds. */
  readonly hubs: Pick<HubDirectory, 'onUserAppeared' | 'get' | 'keyOf'>;
  readonly hubUsers: Pick<HubUserLookup, 'withUsername'>;
  /** The Secrets that hold HubToken tokens (only those: a label selector). */
  readonly tokenSecrets: Pick<Informer<SecretObject>, 'onChange' | 'get'>;
}

/** The parts every kind shares. */
export interface HubEnvironment extends TriggerSources {
  readonly hubs: HubDirectory;
  readonly hubUsers: HubUserLookup;
  /** Every kind's cache, not yet started: the controllers run them. */
  readonly informers: { readonly [K in DeclaringKind]: Informer<KindObjects[K]> };
  readonly tokenSecrets: Informer<SecretObject>;
}

/** A kind's own cache, and the queue its wakes go to. */
export interface WakeTarget<T extends KindObject> {
  readonly informer: Watched<T>;
  readonly queue: Pick<WorkQueue, 'add' | 'addAfter'>;
}

export interface HubKindParts<K extends DeclaringKind> {
  readonly descriptor: KindDescriptor<K>;
  /** Builds the reconciler; it may index its own objects and requeue them through `own`. */
  reconciler(
    env: HubEnvironment,
    own: WakeTarget<KindObjects[K]>,
    deps: ControllerDeps,
  ): Reconciler<KindObjects[K]>;
  /** Wires what wakes this kind's objects besides their own changes. */
  triggers?(sources: TriggerSources, own: WakeTarget<KindObjects[K]>): void;
}

/** A kind, ready to be built into a controller for one hub. */
export interface HubKind {
  readonly descriptor: KindDescriptor;
  build(env: HubEnvironment, deps: ControllerDeps): ControllerHandle;
}

export function defineHubKind<K extends DeclaringKind>(parts: HubKindParts<K>): HubKind {
  return {
    descriptor: parts.descriptor,
    build(env, deps) {
      const informer = env.informers[parts.descriptor.kind] as Informer<KindObjects[K]>;
      const own = { informer, queue: buildQueue(parts.descriptor, deps) };
      const controller = buildController(parts.reconciler(env, own, deps), own, deps);
      parts.triggers?.(env, own);
      return controller;
    },
  };
}
