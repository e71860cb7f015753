/**
 * Gathers user creations into bulk `POST /users` calls of a modest size (the hub commits per
 * user and serves nothing else during a batch). A batch goes out when it is full, or when its
 * short window has passed and no call for the same admin flag is in flight: under load, names
 * gather while the previous batch runs (group commit); when idle, one name waits only the window.
 * Callers get their own answer: the created user, or `existed` when the hub already had it. One
 * name the hub refuses fails a whole bulk call, so a refused batch is asked again name by name:
 * only that name's callers hear the refusal.
 */
import type { Clock } from '../clock.ts';
import type { Priority } from '../priority.ts';
import { HubError } from './errors.ts';
import type { HubUser } from './models.ts';
import type { UsersApi } from './users.ts';

export type Creation =
  { readonly outcome: 'created'; readonly user: HubUser } | { readonly outcome: 'existed' };

interface Pending {
  readonly waiters: Map<string, { resolve: (c: Creation) => void; reject: (e: unknown) => void }[]>;
  priority: Priority;
}

export interface BatcherOptions {
  readonly windowMs: number;
  readonly maxBatch: number;
}

export class UserBatcher {
  readonly #users: UsersApi;
  readonly #clock: Clock;
  readonly #options: BatcherOptions;
  /** One open batch per admin flag: the bulk call sets admin for all its names. */
  readonly #open = new Map<boolean, Pending>();
  readonly #inFlight = new Map<boolean, Promise<void>>();

  constructor(users: UsersApi, clock: Clock, options: Partial<BatcherOptions> = {}) {
    this.#users = users;
    this.#clock = clock;
    this.#options = { windowMs: 25, maxBatch: 25, ...options };
  }

  create(name: string, admin: boolean, priority: Priority = 'interactive'): Promise<Creation> {
    return new Promise((resolve, reject) => {
      let pending = this.#open.get(admin);
      if (!pending) {
        pending = { waiters: new Map(), priority };
        this.#open.set(admin, pending);
        const batch = pending;
        void this.#clock
          .sleep(this.#options.windowMs)
          .then(() => this.#flushWhenFree(admin, batch));
      }
      if (priority === 'interactive') pending.priority = 'interactive';
      const waiters = pending.waiters.get(name) ?? [];
      waiters.push({ resolve, reject });
      pending.waiters.set(name, waiters);
      if (pending.waiters.size >= this.#options.maxBatch) void this.#flush(admin, pending);
    });
  }

  async #flushWhenFree(admin: boolean, batch: Pending): Promise<void> {
    for (let running = this.#inFlight.get(admin); running; running = this.#inFlight.get(admin)) {
      await running;
    }
    await this.#flush(admin, batch);
  }

  async #flush(admin: boolean, batch: Pending): Promise<void> {
    if (this.#open.get(admin) !== batch) return; // flushed already when it filled up
    this.#open.delete(admin);
    const call = this.#send(admin, batch);
    this.#inFlight.set(admin, call);
    await call;
    if (this.#inFlight.get(admin) === call) this.#inFlight.delete(admin);
  }

  async #send(admin: boolean, batch: Pending): Promise<void> {
    const names = [...batch.waiters.keys()];
    try {
      const created = new Map(
        (await this.#users.createMany(names, { admin, priority: batch.priority })).map((u) => [
          u.name,
          u,
        ]),
      );
      for (const [name, waiters] of batch.waiters) {
        const user = created.get(name);
        for (const waiter of waiters)
          waiter.resolve(user ? { outcome: 'created', user } : { outcome: 'existed' });
      }
    } catch (err) {
      if (names.length > 1 && err instanceof HubError && err.code === 'HUB_INVALID') {
        for (const [name, waiters] of batch.waiters)
          await this.#send(admin, {
            waiters: new Map([[name, waiters]]),
            priority: batch.priority,
          });
        return;
      }
      for (const waiters of batch.waiters.values())
        for (const waiter of waiters) waiter.reject(err);
    }
  }
}
