/**
 * The generic controller loop for one kind: informer changes become keys in the work queue;
 * workers take a key, read the cached object, and either clean up a deleted object (then drop
 * the finalizer) or ensure the finalizer and reconcile; then the runner writes status (only if
 * it changed), records Events and schedules the next visit. `enqueueAll` is the resync.
 */
import type { Logger } from 'pino';
import { setCondition, type Condition } from '../api/conditions.ts';
import { apiVersion, keyOf, parseKey } from '../api/meta.ts';
import type { Clock } from '../clock.ts';
import { isRetryable } from '../errors.ts';
import type { EventNote, EventRecorder } from '../kube/events.ts';
import type { Finalizers } from '../kube/finalizers.ts';
import type { Informer } from '../kube/informer.ts';
import type { WorkQueue } from '../kube/queue.ts';
import type { StatusWriter } from '../kube/status.ts';
import { reasonFor } from './reasons.ts';
import type { ConditionStatement, KindObject, ReconcileContext, Reconciler } from './reconciler.ts';

export interface RunnerDeps<T extends KindObject> {
  readonly reconciler: Reconciler<T>;
  readonly informer: Informer<T>;
  readonly queue: WorkQueue;
  readonly status: StatusWriter;
  readonly finalizers: Finalizers;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer?: RunnerObserver;
}

export interface RunnerObserver {
  readonly reconciled?: (result: 'success' | 'error' | 'requeue', seconds: number) => void;
}

/** The workers `run(workers)` adds that take only changes users made: one per 16, at least one. */
export function workersForUsers(workers: number): number {
  return Math.ceil(workers / 16);
}

export class Runner<T extends KindObject> {
  readonly #deps: RunnerDeps<T>;
  #reconcileCount = 0;

  constructor(deps: RunnerDeps<T>) {
    this.#deps = deps;
    deps.informer.onChange((change, object, previous) => {
      if (change === 'updated' && previous && !worthReconciling(previous, object)) return;
      // Objects from the first list are routine; edits after it are what users wait for.
      const priority = deps.informer.isSynced ? 'user' : 'background';
      deps.queue.add(keyOf(object.metadata.namespace, object.metadata.name), priority);
    });
  }

  /**
   * Starts `workers` workers, and `workersForUsers(workers)` more that take only changes users
   * made: a backlog holds every other worker while it waits on the hub, and an edit should not
   * wait for one to come free. Resolves when the queue is closed and drained.
   */
  async run(workers: number): Promise<void> {
    await Promise.all([
      ...Array.from({ length: workers }, () => this.#work(false)),
      ...Array.from({ length: workersForUsers(workers) }, () => this.#work(true)),
    ]);
  }

  /** Queues every cached object (a resync: compare each with the hub again). */
  enqueueAll(priority: 'user' | 'background' = 'background'): void {
    for (const object of this.#deps.informer.list()) {
      this.#deps.queue.add(keyOf(object.metadata.namespace, object.metadata.name), priority);
    }
  }

  /** Stops taking keys; `run` resolves once in-flight keys are done. */
  stop(): void {
    this.#deps.queue.close();
  }

  async #work(userOnly: boolean): Promise<void> {
    for (
      let key = await this.#deps.queue.get(userOnly);
      key !== undefined;
      key = await this.#deps.queue.get(userOnly)
    ) {
      try {
        await this.process(key);
      } finally {
        this.#deps.queue.done(key);
      }
    }
  }

  /** One visit of one key. Never throws: failures become status, Events and a backoff. */
  async process(key: string): Promise<void> {
    const { informer, queue, reconciler, clock } = this.#deps;
    const { namespace, name } = parseKey(key);
    const object = informer.get(namespace, name);
    if (!object) {
      queue.forget(key);
      return;
    }
    this.#reconcileCount += 1;
    const started = clock.now();
    const logger = this.#deps.logger.child({
      kind: reconciler.kind.kind,
      key,
      reconcile: this.#reconcileCount,
    });
    let result: 'success' | 'error' | 'requeue' = 'success';
    try {
      const context = {
        logger,
        priority: queue.priorityOf(key),
        claim: (annotations: Readonly<Record<string, string>>) =>
          this.#claim(namespace, name, annotations),
      };
      if (object.metadata.deletionTimestamp) await this.#finalize(object, context);
      else result = await this.#reconcile(object, context);
    } catch (err) {
      result = 'error';
      await this.#fail(object, err, logger);
    } finally {
      this.#deps.observer?.reconciled?.(result, (clock.now() - started) / 1000);
    }
  }

  async #reconcile(object: T, context: ReconcileContext): Promise<'success' | 'requeue'> {
    const { reconciler, queue } = this.#deps;
    const outcome = await reconciler.reconcile(object, context);
    // A reconcile that wrote nothing to the hub did not claim: the finalizer goes on now.
    await this.#claim(object.metadata.namespace, object.metadata.name, {});
    await this.#writeStatus(object, outcome.fields, outcome.conditions);
    this.#record(object, outcome.events ?? []);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    queue.forget(key);
    if (outcome.requeueAfterMs === undefined) return 'success';
    queue.addAfter(key, outcome.requeueAfterMs, 'background');
    return 'requeue';
  }

  async #finalize(object: T, context: ReconcileContext): Promise<void> {
    const { finalizers, reconciler } = this.#deps;
    if (!finalizers.has(object)) return;
    const events = await reconciler.cleanup(object, context);
    this.#record(object, events);
    await finalizers.remove(object);
    context.logger.info('Finalized');
  }

  /** Adds the finalizer and annotations that the cached object lacks, in one write. */
  async #claim(
    namespace: string,
    name: string,
    annotations: Readonly<Record<string, string>>,
  ): Promise<void> {
    const object = this.#deps.informer.get(namespace, name);
    if (!object) throw new Error(`${namespace}/${name} is gone`);
    const written = await this.#deps.finalizers.claim(object, annotations);
    if (written !== object) this.#deps.informer.remember(written);
  }

  /** Status says why the reconcile failed; the key backs off unless retrying cannot help. */
  async #fail(object: T, err: unknown, logger: Logger): Promise<void> {
    const { reason, message } = reasonFor(err);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const retry = isRetryable(err);
    const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
    logger.warn({ reason, err: message, retry }, 'Reconcile failed');
    const synced: ConditionStatement = { type: 'Synced', status: 'False', reason, message };
    try {
      await this.#writeStatus(object, keptFields(object), [synced]);
    } catch (statusErr) {
      logger.warn({ err: reasonFor(statusErr).message }, 'Could not write status');
    }
    this.#record(object, [{ type: 'Warning', reason, action: 'Reconcile', note: message }]);
    // A retry keeps the priority it failed at: a failed backlog is not a change a user made.
    const priority = this.#deps.queue.priorityOf(key);
    if (retryAfterMs !== undefined) this.#deps.queue.addAfter(key, retryAfterMs, priority);
    else if (retry) this.#deps.queue.addRateLimited(key, priority);
  }

  async #writeStatus(
    object: T,
    fields: Record<string, unknown>,
    statements: readonly ConditionStatement[],
  ): Promise<void> {
    const now = new Date(this.#deps.clock.now()).toISOString();
    const generation = object.metadata.generation;
    let conditions: Condition[] = object.status?.conditions ?? [];
    for (const statement of statements) {
      conditions = setCondition(
        conditions,
        { ...statement, ...(generation === undefined ? {} : { observedGeneration: generation }) },
        now,
      );
    }
    const next = { ...fields, observedGeneration: generation, conditions };
    const written = await this.#deps.status.write(object, object.status, next);
    if (written) this.#deps.informer.remember(written);
  }

  #record(object: T, events: readonly EventNote[]): void {
    const regarding = {
      apiVersion,
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
    };
    for (const event of events) void this.#deps.events.record(regarding, event);
  }
}

/** The status fields a failed reconcile leaves as they were. */
function keptFields(object: KindObject): Record<string, unknown> {
  const {
    conditions: _conditions,
    observedGeneration: _generation,
    ...fields
  } = object.status ?? {};
  return fields;
}

/** Status-only updates (our own writes) need no reconcile; spec, labels and deletion do. */
function worthReconciling(previous: KindObject, next: KindObject): boolean {
  const a = previous.metadata;
  const b = next.metadata;
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? [])
  );
}
