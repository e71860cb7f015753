/**
 * Assembles one kind's controller from its parts: an informer over the kind (in one namespace
 * or all), a work queue, the status writer, finalizer, and the generic runner around the
 * kind's reconciler. Metrics observers are wired here so the layers below stay unaware.
 */
import type { Logger } from 'pino';
import { group, version, type KindDescriptor } from '../api/meta.ts';
import type { Clock } from '../clock.ts';
import type { OperatorMetrics } from '../metrics.ts';
import type { EventRecorder } from '../kube/events.ts';
import { Finalizers } from '../kube/finalizers.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { WorkQueue } from '../kube/queue.ts';
import { collectionPath } from '../kube/resource.ts';
import { StatusWriter } from '../kube/status.ts';
import type { KindObject, Reconciler } from './reconciler.ts';
import { Runner } from './runner.ts';

export const finalizerName = 'hubops.io/cleanup';

export interface ControllerDeps {
  readonly kube: KubeClient;
  /** Empty: every namespace. */
  readonly namespace: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  readonly events: EventRecorder;
}

export interface Controller<T extends KindObject> {
  readonly kind: KindDescriptor;
  readonly informer: Informer<T>;
  readonly queue: WorkQueue;
  readonly runner: Runner<T>;
}

export function buildController<T extends KindObject>(
  reconciler: Reconciler<T>,
  deps: ControllerDeps,
): Controller<T> {
  const kind = reconciler.kind;
  const resource = { group, version, plural: kind.plural, kind: kind.kind };
  const logger = deps.logger.child({ kind: kind.kind });
  const informer = new Informer<T>(
    deps.kube,
    { path: collectionPath(resource, deps.namespace) },
    {
      clock: deps.clock,
      logger,
      observer: { restarted: () => deps.metrics.informerRestarts.inc({ kind: kind.kind }) },
    },
  );
  const queue = new WorkQueue({
    clock: deps.clock,
    observer: {
      dequeued: (ms) => deps.metrics.queueWaitSeconds.observe({ kind: kind.kind }, ms / 1000),
    },
  });
  deps.metrics.trackQueueDepth(kind.kind, () => queue.stats().queued);
  const runner = new Runner<T>({
    reconciler,
    informer,
    queue,
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
  return { kind, informer, queue, runner };
}
