/**
 * The shared controller loop for one kind: changes worth a round queue the object's key;
 * workers take a key, read the cached object, and either clean up a deleted object (then drop
 * the finalizer) or check its spec and reconcile it; then status (only if it changed), Events
 * and the next visit. `enqueueAll` is the resync.
 */
import type { Logger } from 'pino';
import { observesOnly, type ManagementPolicy } from '../../api/fields.ts';
import { keyOf, parseKey } from '../../api/meta.ts';
import type { Clock } from '../../clock.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { Finalizers } from '../../kube/finalizers.ts';
import type { Informer } from '../../kube/informer.ts';
import type { WorkQueue } from '../../kube/queue.ts';
import type { StatusWriter } from '../../kube/status.ts';
import type { Priority } from '../../priority.ts';
import { invalidSpec } from './conditions.ts';
import { foreignStatus, priorityOfChange, worthReconciling } from './enqueue.ts';
import { errorPolicy } from './error-policy.ts';
import { reasonFor } from './reasons.ts';
import type { ConditionStatement, KindObject, ReconcileContext, Reconciler } from './reconciler.ts';
import { SpecCheck } from './spec-check.ts';
import { StatusReport, unchangedFields } from './status-report.ts';

/** What the runner uses of the kube layer: a kind's cache and queue, and its writers. */
export interface RunnerDeps<T extends KindObject> {
  readonly reconciler: Reconciler<T>;
  readonly informer: Pick<Informer<T>, 'onChange' | 'get' | 'list' | 'isSynced' | 'remember'>;
  readonly queue: WorkQueue;
  readonly status: Pick<StatusWriter, 'write'>;
  readonly finalizers: Pick<Finalizers, 'has' | 'ensure' | 'remove'>;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer?: RunnerObserver;
}

export type RoundResult = 'success' | 'error' | 'requeue';

export interface RunnerObserver {
  readonly reconciled?: (result: RoundResult, seconds: number) => void;
}

/** The workers `run(workers)` adds that take only interactive keys: one per 16, at least one. */
export function interactiveWorkers(workers: number): number {
  return Math.ceil(workers / 16);
}

export class Runner<T extends KindObject> {
  readonly #deps: RunnerDeps<T>;
  readonly #report: StatusReport<T>;
  readonly #specCheck: SpecCheck;
  #reconcileCount = 0;

  constructor(deps: RunnerDeps<T>) {
    this.#deps = deps;
    this.#report = new StatusReport(deps);
    this.#specCheck = new SpecCheck(deps.reconciler.specSchema);
    deps.informer.onChange((change, object, previous) => {
      const key = keyOf(object.metadata.namespace, object.metadata.name);
      if (change === 'updated' && previous && !worthReconciling(previous, object)) {
        // The echo of a status write comes while a worker holds the key, or is swallowed by remember().
        if (foreignStatus(previous, object, deps.queue.isProcessing(key)))
          deps.queue.add(key, 'background');
        return;
      }
      deps.queue.add(key, priorityOfChange(deps.informer.isSynced));
    });
  }

  /**
   * Starts `workers` workers, and `interactiveWorkers(workers)` more that take only interactive
   * keys: a backlog holds every other worker while it waits on the hub, and an edit should not
   * wait for one to come free. Resolves when the queue is closed and drained.
   */
  async run(workers: number): Promise<void> {
    await Promise.all([
      ...Array.from({ length: workers }, () => this.#work(false)),
      ...Array.from({ length: interactiveWorkers(workers) }, () => this.#work(true)),
    ]);
  }

  /** Queues these keys (the objects of one hub, at its resync). */
  enqueueKeys(keys: Iterable<string>, priority: Priority = 'background'): void {
    for (const key of keys) this.#deps.queue.add(key, priority);
  }

  /** Queues every cached object (a resync: compare each with the hub again). */
  enqueueAll(priority: Priority = 'background'): void {
    for (const object of this.#deps.informer.list()) {
      this.#deps.queue.add(keyOf(object.metadata.namespace, object.metadata.name), priority);
    }
  }

  /** Stops taking keys; `run` resolves once in-flight keys are done. */
  stop(): void {
    this.#deps.queue.close();
  }

  async #work(interactiveOnly: boolean): Promise<void> {
    const { queue } = this.#deps;
    for (let key = await queue.get(interactiveOnly); key !== undefined;) {
      try {
        await this.process(key);
      } finally {
        queue.done(key);
      }
      key = await queue.get(interactiveOnly);
    }
  }

  /** One visit of one key. Never throws: failures become status, Events and a backoff. */
  async process(key: string): Promise<void> {
    const { informer, queue, reconciler, clock } = this.#deps;
    const { namespace, name } = parseKey(key);
    const object = informer.get(namespace, name);
    if (!object) {
      queue.forget(key);
      this.#specCheck.forget(key);
      return;
    }
    this.#reconcileCount += 1;
    const started = clock.now();
    const logger = this.#deps.logger.child({
      kind: reconciler.kind.kind,
      key,
      reconcile: this.#reconcileCount,
    });
    let result: RoundResult = 'success';
    try {
      const context: ReconcileContext = {
        logger,
        priority: queue.priorityOf(key),
        markManaged: (annotations) => this.#markManaged(namespace, name, annotations),
      };
      if (object.metadata.deletionTimestamp) await this.#finalize(object, context);
      else result = await this.#reconcile(key, object, context);
    } catch (err) {
      result = 'error';
      await this.#fail(key, object, err, logger);
    } finally {
      this.#deps.observer?.reconciled?.(result, (clock.now() - started) / 1000);
    }
  }

  async #reconcile(key: string, object: T, context: ReconcileContext): Promise<RoundResult> {
    const { reconciler, queue } = this.#deps;
    const { problem, fresh } = this.#specCheck.check(key, object);
    if (problem !== undefined) {
      // Terminal until the spec changes, which queues the key again.
      if (fresh) context.logger.warn({ reason: 'InvalidSpec', err: problem }, 'Spec is invalid');
      await this.#report.write(object, unchangedFields(object), invalidSpec(problem));
      queue.forget(key);
      return 'error';
    }
    const outcome = await reconciler.reconcile(object, context);
    if (outcome.deferMs !== undefined) {
      queue.forget(key);
      queue.addAfter(key, outcome.deferMs, queue.priorityOf(key));
      return 'requeue';
    }
    // A reconcile that wrote nothing to the hub did not mark the object: the finalizer goes on now.
    // An observed object's deletion asks nothing of the hub, so it gets none (one put on while
    // it was managed stays until it is deleted).
    const observed = observesOnly(object.spec as { readonly managementPolicy?: ManagementPolicy });
    if (reconciler.usesFinalizer !== false && !observed)
      await this.#markManaged(object.metadata.namespace, object.metadata.name, {});
    await this.#report.write(object, outcome.fields, outcome.conditions);
    this.#report.record(object, outcome.events ?? []);
    queue.forget(key);
    if (outcome.requeueAfterMs === undefined) return 'success';
    queue.addAfter(key, outcome.requeueAfterMs, 'background');
    return 'requeue';
  }

  async #finalize(object: T, context: ReconcileContext): Promise<void> {
    const { finalizers, reconciler } = this.#deps;
    if (!finalizers.has(object)) return;
    const events = await reconciler.cleanup(object, context);
    this.#report.record(object, events);
    await finalizers.remove(object);
    context.logger.info('Finalized');
  }

  /** Adds the finalizer and annotations that the cached object lacks, in one write. */
  async #markManaged(
    namespace: string,
    name: string,
    annotations: Readonly<Record<string, string>>,
  ): Promise<void> {
    const object = this.#deps.informer.get(namespace, name);
    if (!object) throw new Error(`${namespace}/${name} is gone`);
    const written = await this.#deps.finalizers.ensure(object, annotations);
    if (written !== object) this.#deps.informer.remember(written);
  }

  /** Status and an Event say why the round failed; the error policy says when to come back. */
  async #fail(key: string, object: T, err: unknown, logger: Logger): Promise<void> {
    const { reason, message, next } = errorPolicy(err);
    logger.warn({ reason, err: message, retry: next.after !== 'change' }, 'Reconcile failed');
    const synced: ConditionStatement = { type: 'Synced', status: 'False', reason, message };
    try {
      await this.#report.write(object, unchangedFields(object), [synced]);
    } catch (statusErr) {
      logger.warn({ err: reasonFor(statusErr).message }, 'Could not write status');
    }
    this.#report.record(object, [{ type: 'Warning', reason, action: 'Reconcile', note: message }]);
    // A retry keeps the priority it failed at: a failed backlog is not a change a person made.
    const priority = this.#deps.queue.priorityOf(key);
    if (next.after === 'delay') this.#deps.queue.addAfter(key, next.ms, priority);
    else if (next.after === 'backoff') this.#deps.queue.addRateLimited(key, priority);
  }
}
