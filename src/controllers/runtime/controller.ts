/**
 * Assembles one kind's controller from its parts: an informer over the kind (in one namespace
 * or all), a work queue, the status writer, the finalizer, and the shared runner around the
 * kind's reconciler. Metrics observers are wired here so the layers below stay unaware.
 */
import type { Logger } from 'pino';
import { finalizerName } from '../../api/annotations.ts';
import { group, version, type KindDescriptor } from '../../api/meta.ts';
import type { Clock } from '../../clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import { Finalizers } from '../../kube/finalizers.ts';
import { Informer } from '../../kube/informer.ts';
import type { KubeClient } from '../../kube/kube-client.ts';
import { WorkQueue } from '../../kube/queue.ts';
import { collectionPath, type ResourceRef } from '../../kube/resource.ts';
import { StatusWriter } from '../../kube/status.ts';
import type { OperatorMetrics } from '../../metrics.ts';
import type { KindObject, Reconciler } from './reconciler.ts';
import { Runner } from './runner.ts';

export interface ControllerDeps {
  readonly kube: KubeClient;
  /** Empty: every namespace. */
  readonly namespace: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly events: EventRecorder;
}

export interface Controller<T extends KindObject = KindObject> {
  readonly kind: KindDescriptor;
  readonly informer: Informer<T>;
  readonly queue: WorkQueue;
  readonly runner: Runner<T>;
}

/** What is started, stopped and queued of a controller, whatever its kind. */
export interface ControllerHandle {
  readonly kind: KindDescriptor;
  readonly informer: Pick<Informer<KindObject>, 'start' | 'stop' | 'isSynced' | 'synced'>;
  readonly runner: Pick<Runner<KindObject>, 'run' | 'stop' | 'enqueueKeys'>;
}

function resourceOf(kind: KindDescriptor): ResourceRef {
  return { group, version, plural: kind.plural, kind: kind.kind };
}

/** The cache of one kind, not started. */
export function buildInformer<T extends KindObject>(
  kind: KindDescriptor,
  deps: ControllerDeps,
  options: { optional?: boolean } = {},
): Informer<T> {
  return new Informer<T>(
    deps.kube,
    { path: collectionPath(resourceOf(kind), deps.namespace), ...options },
    {
      clock: deps.clock,
      logger: deps.logger.child({ kind: kind.kind }),
      observer: { restarted: () => deps.metrics.informerRestarts.inc({ kind: kind.kind }) },
    },
  );
}

/** The work queue of one kind, its depth and waits measured. */
export function buildQueue(kind: KindDescriptor, deps: ControllerDeps): WorkQueue {
  const queue = new WorkQueue({
    clock: deps.clock,
    observer: {
      dequeued: (ms) => deps.metrics.queueWaitSeconds.observe({ kind: kind.kind }, ms / 1000),
    },
  });
  deps.metrics.trackQueueDepth(kind.kind, () => queue.stats().queued);
  return queue;
}

export function buildController<T extends KindObject>(
  reconciler: Reconciler<T>,
  parts: { informer: Informer<T>; queue: WorkQueue },
  deps: ControllerDeps,
): Controller<T> {
  const kind = reconciler.kind;
  const resource = resourceOf(kind);
  const runner = new Runner<T>({
    reconciler,
    informer: parts.informer,
    queue: parts.queue,
    status: new StatusWriter(deps.kube, resource),
    finalizers: new Finalizers(deps.kube, resource, finalizerName),
    events: deps.events,
    clock: deps.clock,
    logger: deps.logger,
    observer: {
      reconciled: (result, seconds) => {
        deps.metrics.reconciles.inc({ kind: kind.kind, result });
        deps.metrics.reconcileSeconds.observe({ kind: kind.kind }, seconds);
      },
    },
  });
  return { kind, informer: parts.informer, queue: parts.queue, runner };
}

/**
 * `handle` with one more cache that its reconciler reads (the Secrets of HubTokens): started,
 * stopped and waited for with the kind's own, so that no reconcile reads it before its first list.
 */
export function withCache(
  handle: ControllerHandle,
  cache: Pick<Informer<never>, 'start' | 'stop' | 'isSynced' | 'synced'>,
): ControllerHandle {
  const own = handle.informer;
  return {
    ...handle,
    informer: {
      start: () => {
        own.start();
        cache.start();
      },
      stop: async () => {
        await Promise.all([own.stop(), cache.stop()]);
      },
      get isSynced() {
        return own.isSynced && cache.isSynced;
      },
      synced: Promise.all([own.synced, cache.synced]).then(() => undefined),
    },
  };
}
