/**
 * One request budget per hub, shared by every caller: a cap on requests in flight (the hub
 * serves the API from one thread) and a token-bucket rate. Interactive work (a change a person
 * waits for) goes ahead of background work (resync sweeps), but background work keeps a
 * guaranteed share so a busy cluster cannot starve drift repair. Server starts have a lane of their own (see `Lane`).
 */
import type { Clock } from '../clock.ts';
import type { Priority } from '../priority.ts';

/**
 * `hub`: a request the hub's one thread works on until it answers. `spawn`: a server start,
 * which the hub answers only once the spawner is done (up to its 10 s wait) while its thread
 * serves others; such requests share the rate but have their own in-flight cap, so a start
 * storm neither waits in single file nor shuts everything else out.
 */
export type Lane = 'hub' | 'spawn';

export interface BudgetOptions {
  /** Requests in flight at once. */
  readonly maxInFlight: number;
  /** Sustained requests per second. */
  readonly ratePerSecond: number;
  /** Requests that may start at once after a quiet spell. */
  readonly burst: number;
  /** When both kinds wait, at least one grant in this many goes to background work. */
  readonly backgroundEvery: number;
  /** Server starts in flight at once (zero-to-jupyterhub's default concurrent spawn limit). */
  readonly maxSpawnsInFlight: number;
}

export const defaultBudgetOptions: BudgetOptions = {
  maxInFlight: 2,
  ratePerSecond: 100,
  burst: 20,
  backgroundEvery: 4,
  maxSpawnsInFlight: 64,
};

/** Gives the slot back; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  readonly grant: (release: Release) => void;
  readonly refuse: (reason: unknown) => void;
}

export interface BudgetStats {
  readonly inFlight: number;
  readonly spawnsInFlight: number;
  readonly waitingInteractive: number;
  readonly waitingBackground: number;
}

export class RequestBudget {
  readonly options: BudgetOptions;
  readonly #clock: Clock;
  readonly #waiting: Record<Priority, Waiter[]> = { interactive: [], background: [] };
  readonly #waitingSpawns: Waiter[] = [];
  readonly #inFlight: Record<Lane, number> = { hub: 0, spawn: 0 };
  #tokens: number;
  #refilledAt: number;
  #interactiveGrantsInARow = 0;
  #wakeScheduled = false;

  constructor(options: Partial<BudgetOptions>, clock: Clock) {
    this.options = { ...defaultBudgetOptions, ...options };
    for (const [key, value] of Object.entries(this.options)) {
      if (!(Number.isFinite(value) && value > 0))
        throw new RangeError(`budget ${key} must be positive`);
    }
    this.#clock = clock;
    this.#tokens = this.options.burst;
    this.#refilledAt = clock.now();
  }

  /**
   * Resolves with a Release once a slot and a rate token are free. Rejects with the signal's
   * reason if it aborts while waiting. Callers release when the hub has answered.
   */
  acquire(priority: Priority, signal?: AbortSignal, lane: Lane = 'hub'): Promise<Release> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const queue = lane === 'spawn' ? this.#waitingSpawns : this.#waiting[priority];
      const onAbort = (): void => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        refuse: reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.#pump();
    });
  }

  stats(): BudgetStats {
    return {
      inFlight: this.#inFlight.hub,
      spawnsInFlight: this.#inFlight.spawn,
      waitingInteractive: this.#waiting.interactive.length,
      waitingBackground: this.#waiting.background.length,
    };
  }

  #pump(): void {
    this.#refill();
    this.#grantWhileRoom('spawn', () => this.#waitingSpawns.shift());
    this.#grantWhileRoom('hub', () => this.#next());
    if (this.#tokens < 1 && this.#hasWaiters()) this.#wakeForNextToken();
  }

  /** Grants `lane`'s next waiters while the lane has room and the rate has a token. */
  #grantWhileRoom(lane: Lane, next: () => Waiter | undefined): void {
    const cap = lane === 'spawn' ? this.options.maxSpawnsInFlight : this.options.maxInFlight;
    while (this.#inFlight[lane] < cap && this.#tokens >= 1) {
      const waiter = next();
      if (!waiter) return;
      this.#tokens -= 1;
      this.#inFlight[lane] += 1;
      let released = false;
      waiter.grant(() => {
        if (released) return;
        released = true;
        this.#inFlight[lane] -= 1;
        this.#pump();
      });
    }
  }

  #next(): Waiter | undefined {
    const { interactive, background } = this.#waiting;
    const backgroundsTurn = this.#interactiveGrantsInARow >= this.options.backgroundEvery - 1;
    if (interactive.length > 0 && !(backgroundsTurn && background.length > 0)) {
      this.#interactiveGrantsInARow += background.length > 0 ? 1 : 0;
      return interactive.shift();
    }
    this.#interactiveGrantsInARow = 0;
    return background.shift();
  }

  #hasWaiters(): boolean {
    return (
      this.#waiting.interactive.length > 0 ||
      this.#waiting.background.length > 0 ||
      this.#waitingSpawns.length > 0
    );
  }

  #refill(): void {
    const now = this.#clock.now();
    const earned = ((now - this.#refilledAt) / 1000) * this.options.ratePerSecond;
    this.#tokens = Math.min(this.options.burst, this.#tokens + earned);
    this.#refilledAt = now;
  }

  #wakeForNextToken(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    const ms = Math.ceil(((1 - this.#tokens) / this.options.ratePerSecond) * 1000);
    void this.#clock.sleep(ms).then(() => {
      this.#wakeScheduled = false;
      this.#pump();
    });
  }
}
