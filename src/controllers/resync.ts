/**
 * The leader's periodic resync: sweep the hub into the snapshot (one paginated read of users
 * and groups), then queue every object as background work so each reconcile compares against
 * fresh facts and repairs drift. The same happens when the hub answers again after an outage,
 * so the backlog drains through the request budget instead of waiting out its backoffs.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { HubHealth } from '../hub/health.ts';
import type { HubSnapshot } from '../hub/snapshot.ts';

export interface Resyncable {
  enqueueAll(priority: 'user' | 'background'): void;
}

export class Resyncer {
  readonly #snapshot: HubSnapshot;
  readonly #targets: readonly Resyncable[];
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #periodMs: number;
  readonly #stop = new AbortController();

  constructor(deps: {
    snapshot: HubSnapshot;
    targets: readonly Resyncable[];
    clock: Clock;
    logger: Logger;
    periodMs: number;
  }) {
    this.#snapshot = deps.snapshot;
    this.#targets = deps.targets;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#periodMs = deps.periodMs;
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
    while (!this.#stop.signal.aborted) {
      const slept = await this.#clock.sleep(this.#periodMs, this.#stop.signal).then(
        () => true,
        () => false,
      );
      if (slept) await this.resync('period');
    }
  }
}
