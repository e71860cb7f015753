/**
 * The leader's periodic resync: sweep the hub into the snapshot (one paginated read of users
 * and groups), then queue every object as background work so each reconcile compares against
 * fresh facts and repairs drift. The same happens when the hub answers again after an outage,
 * so the backlog drains through the request budget instead of waiting out its backoffs. A
 * periodic sweep waits while the hub is busy starting the operator's servers, for a while.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { HubHealth } from '../../hub/health.ts';
import type { HubSnapshot } from '../../hub/snapshot.ts';
import type { Priority } from '../../priority.ts';
import { sweepDeferStepMs, sweepMaxDeferMs } from './timings.ts';

export interface Resyncable {
  enqueueAll(priority: Priority): void;
}

export class Resyncer {
  readonly #snapshot: HubSnapshot;
  readonly #targets: readonly Resyncable[];
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #periodMs: number;
  readonly #hubBusy: () => boolean;
  readonly #stop = new AbortController();

  constructor(deps: {
    snapshot: HubSnapshot;
    targets: readonly Resyncable[];
    clock: Clock;
    logger: Logger;
    periodMs: number;
    /** True while the hub works on something a sweep should not slow down (spawns). */
    hubBusy?: () => boolean;
  }) {
    this.#snapshot = deps.snapshot;
    this.#targets = deps.targets;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#periodMs = deps.periodMs;
    this.#hubBusy = deps.hubBusy ?? (() => false);
  }

  /** Starts the periodic loop and the recovery trigger. */
  start(health: HubHealth): void {
    let wasDown = false;
    health.onChange((state) => {
      if (state.status === 'down') wasDown = true;
      else if (wasDown && state.status === 'up' && !this.#stop.signal.aborted) {
        wasDown = false;
        void this.resync('hub recovered');
      }
    });
    void this.#loop();
  }

  stop(): void {
    this.#stop.abort();
  }

  /** One resync now: sweep, then queue everything. A failed sweep still queues (reconciles report it). */
  async resync(why: string): Promise<void> {
    try {
      await this.#snapshot.sweep('background');
    } catch (err) {
      this.#logger.warn(
        { why, err: err instanceof Error ? err.message : String(err) },
        'Hub sweep failed',
      );
    }
    for (const target of this.#targets) target.enqueueAll('background');
  }

  async #loop(): Promise<void> {
    while (await this.#sleep(this.#periodMs)) {
      // Every page of a sweep takes the hub's one thread from the servers it is starting; drift
      // repair can wait for a spawn storm to end, but not indefinitely.
      const limit = sweepMaxDeferMs(this.#periodMs);
      for (let waited = 0; waited < limit && this.#hubBusy(); waited += sweepDeferStepMs)
        if (!(await this.#sleep(sweepDeferStepMs))) return;
      await this.resync('period');
    }
  }

  /** False once stopped. */
  #sleep(ms: number): Promise<boolean> {
    return this.#clock.sleep(ms, this.#stop.signal).then(
      () => !this.#stop.signal.aborted,
      () => false,
    );
  }
}
