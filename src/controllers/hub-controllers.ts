/**
 * The operator's controllers: the hubs it serves (the hub of its settings, and one per Hub
 * object, built by the Hub controller at run time), every kind's cache, the HubUser lookups,
 * then one controller per declaring kind, each wiring its own triggers, and the Hub controller.
 */
import type { RequestBudget } from '../api/hub.ts';
import type { Hub as HubObject } from '../api/hub.ts';
import { hubLabel } from '../api/hub-ref.ts';
import { keyOf, kinds, type DeclaringKind } from '../api/meta.ts';
import type { Hub } from '../hub/hub.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { ReverseIndex } from '../kube/reverse-index.ts';
import { readSecretKey, type SecretObject } from '../kube/secrets.ts';
import type { TenancyPolicy } from '../plan/tenancy.ts';
import type { Priority } from '../priority.ts';
import { HubReconciler } from './hubs/reconciler.ts';
import type { UnitSettings } from './hubs/status.ts';
import { hubGroupKind } from './hubgroup/kind.ts';
import { hubServerKind } from './hubserver/kind.ts';
import { HubUserIndex } from './hubuser/hubuser-index.ts';
import { hubUserKind } from './hubuser/kind.ts';
import { hubTokenKind } from './hubtoken/kind.ts';
import { tokenSecretSelector } from './hubtoken/token-secret.ts';
import {
  buildController,
  buildInformer,
  buildQueue,
  withCache,
  type ControllerDeps,
  type ControllerHandle,
} from './runtime/controller.ts';
import { HubDirectory } from './runtime/hub-directory.ts';
import type { HubEnvironment, KindObjects } from './runtime/hub-kind.ts';
import { HubUnit } from './runtime/hub-unit.ts';

/** The declaring kinds, in the order their controllers are built. */
export const hubKinds = [hubUserKind, hubGroupKind, hubServerKind, hubTokenKind] as const;

/** The hub of the operator's settings, and how to reach the hubs Hub objects name. */
export interface HubSettings {
  /** The client of the settings' hub (HUB_API_URL), its budget built in. */
  readonly hub: Hub;
  readonly url: string;
  readonly budget: RequestBudget;
  readonly policy: TenancyPolicy;
  readonly resyncMs: number;
  /** `namespace/name` of a Hub object that resources without hubRef use, instead of `hub`. */
  readonly defaultHub?: string;
  /** Whether HubTokens are served (HUB_TOKENS); false: their kind and Secrets are not watched. */
  readonly hubTokens?: boolean;
  /** A client for the hub of a Hub object; `key` names it in metrics and logs. */
  readonly connect: (key: string, url: string, token: string, budget: RequestBudget) => Hub;
}

export interface Controllers {
  readonly hubs: HubDirectory;
  readonly all: readonly ControllerHandle[];
}

export function buildControllers(
  settings: HubSettings,
  deps: ControllerDeps & { kube: KubeClient },
): Controllers {
  const informers = {
    HubUser: buildInformer<KindObjects['HubUser']>(kinds.HubUser, deps),
    HubGroup: buildInformer<KindObjects['HubGroup']>(kinds.HubGroup, deps),
    HubServer: buildInformer<KindObjects['HubServer']>(kinds.HubServer, deps),
    // A chart upgrade does not upgrade CRDs: without the HubToken CRD the other kinds still run.
    HubToken: buildInformer<KindObjects['HubToken']>(kinds.HubToken, deps, { optional: true }),
  };
  const tokenSecrets = new Informer<SecretObject>(
    deps.kube,
    {
      path: deps.namespace
        ? `/api/v1/namespaces/${encodeURIComponent(deps.namespace)}/secrets`
        : '/api/v1/secrets',
      labelSelector: tokenSecretSelector,
    },
    {
      clock: deps.clock,
      logger: deps.logger.child({ kind: 'Secret' }),
      observer: { restarted: () => deps.metrics.informerRestarts.inc({ kind: 'Secret' }) },
    },
  );
  const hubs = new HubDirectory(settings.defaultHub ?? '');
  const controllers: ControllerHandle[] = [];
  // Which objects of each running kind use each hub: its resync, and a Hub's arrival or change,
  // queue only those.
  const byHub: [ReverseIndex<KindObjects[DeclaringKind]>, ControllerHandle][] = [];
  const enqueueHub = (key: string, priority: Priority): void => {
    for (const [index, controller] of byHub)
      controller.runner.enqueueKeys(index.keysFor(key), priority);
  };
  const unitOf = (key: string, unitSettings: UnitSettings, hub: Hub): HubUnit => {
    let untrack = (): void => {};
    const unit = new HubUnit({
      key,
      hub,
      url: unitSettings.url,
      budget: unitSettings.budget,
      policy: unitSettings.policy,
      resyncMs: unitSettings.resyncMs,
      clock: deps.clock,
      logger: deps.logger.child({ hub: hubLabel(key) }),
      enqueueHub,
      onStop: () => untrack(),
    });
    untrack = deps.metrics.trackHub(hubLabel(key), {
      budget: () => hub.client.budget.stats(),
      writesHeldMs: () => hub.client.writesHeldMs(),
      objects: () => unit.snapshot.counts(),
      lastSweep: () => unit.snapshot.lastSweep,
    });
    return unit;
  };
  // With DEFAULT_HUB the settings name a Hub object instead: one unit per hub, not two.
  if (settings.defaultHub === undefined) hubs.add(unitOf('', settings, settings.hub));
  const env: HubEnvironment = {
    hubs,
    informers,
    hubUsers: new HubUserIndex(informers.HubUser, (user) => hubs.keyOf(user)),
    tokenSecrets,
  };
  // Without HubTokens the operator needs no access to Secrets beyond its Hubs' tokens.
  for (const kind of hubKinds.filter((k) => settings.hubTokens !== false || k !== hubTokenKind)) {
    const built = kind.build(env, deps);
    const controller = kind === hubTokenKind ? withCache(built, tokenSecrets) : built;
    controllers.push(controller);
    const informer = informers[kind.descriptor.kind as DeclaringKind] as Informer<
      KindObjects[DeclaringKind]
    >;
    byHub.push([new ReverseIndex(informer, (object) => [hubs.keyOf(object)]), controller]);
    deps.metrics.trackResources(kind.descriptor.kind, () => informer.list());
  }
  // A chart upgrade does not upgrade CRDs: without the Hub CRD the other kinds still run.
  const hubInformer = buildInformer<HubObject>(kinds.Hub, deps, { optional: true });
  deps.metrics.trackResources(kinds.Hub.kind, () => hubInformer.list());
  // Until a Hub's first reconcile, its resources wait rather than read HubNotFound (a restart
  // would otherwise flap their status).
  hubInformer.onChange((change, hub) => {
    const key = keyOf(hub.metadata.namespace, hub.metadata.name);
    if (change === 'deleted') void hubReconciler.forget(key);
    else hubs.expect(key);
  });
  const hubReconciler = new HubReconciler({
    hubs,
    readToken: (namespace, name, key) => readSecretKey(deps.kube, namespace, name, key),
    openUnit: (key, unitSettings, token) =>
      unitOf(
        key,
        unitSettings,
        settings.connect(key, unitSettings.url, token, unitSettings.budget),
      ),
    enqueueHub,
  });
  controllers.push(
    buildController(
      hubReconciler,
      { informer: hubInformer, queue: buildQueue(kinds.Hub, deps) },
      deps,
    ),
  );
  return { hubs, all: controllers };
}
