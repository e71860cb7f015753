/**
 * The lifecycle of the controllers, as controller-runtime's Manager holds it: caches start at
 * once (so a follower is ready to lead), work starts only while leading and only once every
 * cache has its first list, and a stop drains work in flight (bounded) before the lease is
 * handed back (left to expire when work outlasts the drain) and the caches close.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { LeaderElector } from '../kube/leader.ts';
import type { Controllers } from './hub-controllers.ts';
import { drainTimeoutMs } from './runtime/timings.ts';

export interface ManagerDeps {
  readonly controllers: Controllers;
  /** Workers per kind (plus the interactive ones each runner adds). */
  readonly workers: number;
  /** Absent: this process leads from the start (a single local run). */
  readonly elector?: LeaderElector;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told when this process starts leading. */
  readonly leading?: () => void;
  /** Leadership lost: decisions made as leader may be cached; the process should start afresh. */
  readonly lostLeadership: () => void;
}

export class Manager {
  readonly #deps: ManagerDeps;
  readonly #runs: Promise<void>[] = [];
  #stopping = false;

  constructor(deps: ManagerDeps) {
    this.#deps = deps;
  }

  /** Starts the caches, then the work when leading. */
  start(): void {
    for (const controller of this.#deps.controllers.all) controller.informer.start();
    const { elector } = this.#deps;
    if (elector)
      elector.start({
        startedLeading: () => this.#lead(),
        stoppedLeading: this.#deps.lostLeadership,
      });
    else this.#lead();
  }

  /** Ready once every cache has its first list; otherwise says which it waits for. */
  readiness(): { ok: boolean; detail: string } {
    const waiting = this.#deps.controllers.all
      .filter((c) => !c.informer.isSynced)
      .map((c) => c.kind.kind);
    return {
      ok: waiting.length === 0,
      detail: waiting.length ? `waiting for the first list of ${waiting.join(', ')}` : 'ok',
    };
  }

  /**
   * Stops taking work, waits for work in flight up to the drain deadline, hands the lease back
   * (or, with work still in flight, leaves it to expire) and stops the caches. Idempotent;
   * resolves once all of that is done, except that past the drain deadline it does not wait for
   * hub calls still in flight: a stalled one would hold the exit until its timeout, past the
   * pod's grace period, and the lease left to expire already covers its landing late.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const { controllers, clock, logger, elector } = this.#deps;
    for (const unit of controllers.hubs.units()) unit.resyncer.stop();
    for (const controller of controllers.all) controller.runner.stop();
    const drained = await Promise.race([
      Promise.all(this.#runs).then(() => true),
      clock.sleep(drainTimeoutMs).then(() => false),
    ]);
    if (drained) await elector?.release();
    else {
      // Handing the lease over now would let the next leader read the hub while this one's calls
      // are still landing: it waits for the lease to expire instead.
      logger.warn({ timeoutMs: drainTimeoutMs }, 'Work still in flight at the drain deadline');
      await elector?.abandon();
    }
    await Promise.all(controllers.all.map((c) => c.informer.stop()));
    const closed = Promise.all(controllers.hubs.units().map((unit) => unit.stop()));
    if (drained) await closed;
    else void closed.catch(() => undefined);
  }

  #lead(): void {
    const { controllers, workers } = this.#deps;
    this.#deps.leading?.();
    // The first reconciles wait for a hub sweep: read it while the caches finish their lists.
    // Not before leading: a sweep taken while the old leader still writes can miss its creates.
    // (The units of Hub objects start when the Hub controller makes them, leading by then.)
    for (const unit of controllers.hubs.units()) unit.startSweeping();
    // A group's selector reads the HubUser cache: reconciling before every cache has its
    // first list would see a partial namespace and remove members that are only not loaded.
    void Promise.all(controllers.all.map((c) => c.informer.synced)).then(() => {
      if (this.#stopping) return;
      for (const unit of controllers.hubs.units()) unit.start();
      for (const controller of controllers.all) this.#runs.push(controller.runner.run(workers));
    });
  }
}
