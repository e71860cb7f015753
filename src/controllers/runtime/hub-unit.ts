/**
 * Everything the operator keeps for one hub: its client (and with it the request budget, the
 * health state and the probe backoff), the snapshot and its periodic sweep, the action
 * executor and the tenancy policy. One unit per hub, so that a hub that is down or refuses its
 * token holds up only its own resources; a replica could own a unit by a Lease of its own.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { RequestBudget } from '../../api/hub.ts';
import type { Hub } from '../../hub/hub.ts';
import { HubSnapshot } from '../../hub/snapshot.ts';
import { UserBatcher } from '../../hub/user-batcher.ts';
import type { TenancyPolicy } from '../../plan/tenancy.ts';
import type { Priority } from '../../priority.ts';
import { HubActions } from './hub-actions.ts';
import { Resyncer } from './resync.ts';

export interface HubUnitOptions {
  /** '' for the hub of the operator's settings; `namespace/name` of a Hub object. */
  readonly key: string;
  readonly hub: Hub;
  /** Where the hub is and the budget its client was built with. */
  readonly url: string;
  readonly budget: RequestBudget;
  readonly policy: TenancyPolicy;
  readonly resyncMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Queues every resource that uses the hub `key`. */
  readonly enqueueHub: (key: string, priority: Priority) => void;
  /** Called once the unit has stopped (its metrics go with it). */
  readonly onStop?: () => void;
}

export class HubUnit {
  readonly key: string;
  readonly hub: Hub;
  readonly url: string;
  readonly budget: RequestBudget;
  readonly snapshot: HubSnapshot;
  readonly actions: HubActions;
  readonly resyncer: Resyncer;
  readonly resyncMs: number;
  #policy: TenancyPolicy;
  #started = false;
  readonly #onStop: () => void;

  constructor(options: HubUnitOptions) {
    this.key = options.key;
    this.hub = options.hub;
    this.url = options.url;
    this.budget = options.budget;
    this.#policy = options.policy;
    this.resyncMs = options.resyncMs;
    this.#onStop = options.onStop ?? (() => {});
    this.snapshot = new HubSnapshot(options.hub);
    this.actions = new HubActions({
      hub: options.hub,
      snapshot: this.snapshot,
      batcher: new UserBatcher(options.hub.users, options.clock),
    });
    this.resyncer = new Resyncer({
      snapshot: this.snapshot,
      targets: [{ enqueueAll: (priority) => options.enqueueHub(this.key, priority) }],
      clock: options.clock,
      logger: options.logger,
      periodMs: options.resyncMs,
      hubBusy: () => options.hub.servers.starting(),
    });
  }

  get policy(): TenancyPolicy {
    return this.#policy;
  }

  /** A policy change applies from the next reconcile on. */
  setPolicy(policy: TenancyPolicy): void {
    this.#policy = policy;
  }

  /** Starts the first sweep, ahead of the reconciles that will wait for it. */
  startSweeping(): void {
    this.snapshot.ready('background').catch(() => {
      // A failed sweep is tried again by the first reconcile that needs it, and reported there.
    });
  }

  /** Starts the first sweep and the periodic resync; only while this replica leads. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.startSweeping();
    this.resyncer.start(this.hub.health);
  }

  /** Stops the resync and closes the client; requests in flight fail as the hub being gone. */
  async stop(): Promise<void> {
    this.resyncer.stop();
    await this.hub.close();
    this.#onStop();
  }
}
