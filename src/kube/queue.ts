/**
 * The work queue between watches and reconcilers. It holds keys, never objects: a reconciler
 * always reads the current object. A key is queued at most once, is never handed to two
 * workers at once (a change during processing queues it again afterwards), and failing keys
 * back off exponentially with jitter. Changes people made (interactive) go ahead of periodic
 * resync work, which still keeps a share so it cannot starve; a worker may also take interactive
 * keys only, so that a change need not wait for a worker held by a backlog.
 */
import type { Clock } from '../clock.ts';
import type { Priority } from '../priority.ts';
import { KeyFifo } from './key-fifo.ts';

interface Waiter {
  readonly interactiveOnly: boolean;
  readonly resolve: (key: string | undefined) => void;
}

export interface QueueOptions {
  /** Backoff after the first failure; doubles per failure up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** When both kinds wait, at least one `get` in this many serves background work. */
  readonly backgroundEvery: number;
}

export const defaultQueueOptions: QueueOptions = {
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  backgroundEvery: 4,
};

export interface QueueObserver {
  /** A key left the queue for a worker after waiting `waitedMs`. */
  readonly dequeued?: (waitedMs: number) => void;
}

interface Delayed {
  readonly due: number;
  readonly cancel: AbortController;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #options: QueueOptions;
  readonly #observer: QueueObserver;
  readonly #ready: Record<Priority, KeyFifo> = {
    interactive: new KeyFifo(),
    background: new KeyFifo(),
  };
  /** How many queued keys each priority holds (its FIFO may also hold entries that no longer stand). */
  readonly #waiting: Record<Priority, number> = { interactive: 0, background: 0 };
  /**
   * Queued keys with their priority, the time they were first queued, and the number of their
   * standing FIFO entry: an entry of another number was left behind by an upgrade.
   */
  readonly #queued = new Map<string, { priority: Priority; since: number; seq: number }>();
  #seq = 0;
  /** Keys a worker holds, with the priority they were queued at. */
  readonly #processing = new Map<string, Priority>();
  /** Keys added while being processed, to queue again when done. */
  readonly #dirty = new Map<string, Priority>();
  readonly #delayed = new Map<string, Delayed>();
  readonly #failures = new Map<string, number>();
  #waiters: Waiter[] = [];
  #interactiveGetsInARow = 0;
  #closed = false;

  constructor(
    deps: { clock: Clock; random?: () => number; observer?: QueueObserver },
    options: Partial<QueueOptions> = {},
  ) {
    this.#clock = deps.clock;
    this.#random = deps.random ?? Math.random;
    this.#observer = deps.observer ?? {};
    this.#options = { ...defaultQueueOptions, ...options };
  }

  /** Queues a key (a no-op if queued already; `interactive` upgrades a queued `background`). */
  add(key: string, priority: Priority = 'interactive'): void {
    if (this.#closed) return;
    if (this.#processing.has(key)) {
      if (this.#dirty.get(key) !== 'interactive') this.#dirty.set(key, priority);
      return;
    }
    const queued = this.#queued.get(key);
    if (queued) {
      if (queued.priority === 'background' && priority === 'interactive') {
        this.#waiting.background -= 1;
        this.#waiting.interactive += 1;
        queued.seq = ++this.#seq;
        this.#ready.interactive.push(key, queued.seq);
        queued.priority = 'interactive';
        // A worker that takes only interactive keys may be idle beside the background backlog.
        this.#wakeOne();
      }
      return;
    }
    const seq = ++this.#seq;
    this.#queued.set(key, { priority, since: this.#clock.now(), seq });
    this.#ready[priority].push(key, seq);
    this.#waiting[priority] += 1;
    this.#wakeOne();
  }

  /** Queues a key after `delayMs`; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number, priority: Priority = 'interactive'): void {
    if (this.#closed) return;
    if (delayMs <= 0) return this.add(key, priority);
    const due = this.#clock.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending && pending.due <= due) return;
    pending?.cancel.abort();
    const cancel = new AbortController();
    this.#delayed.set(key, { due, cancel });
    this.#clock.sleep(delayMs, cancel.signal).then(
      () => {
        if (this.#delayed.get(key)?.cancel === cancel) this.#delayed.delete(key);
        this.add(key, priority);
      },
      () => {}, // superseded by an earlier delay, or the queue closed
    );
  }

  /** Queues a key after its backoff, counting one more failure; returns the delay chosen. */
  addRateLimited(key: string, priority: Priority = 'interactive'): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const exponential = Math.min(
      this.#options.maxDelayMs,
      this.#options.baseDelayMs * 2 ** (failures - 1),
    );
    const delay = Math.round(exponential / 2 + (exponential / 2) * this.#random());
    this.addAfter(key, delay, priority);
    return delay;
  }

  /** Clears a key's failure count (after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /**
   * Resolves with the next key for a worker, waiting if none is ready, or undefined once the
   * queue is closed. With `interactiveOnly`, only keys queued at `interactive` priority. The
   * worker must call `done(key)` when finished.
   */
  get(interactiveOnly = false): Promise<string | undefined> {
    const key = this.#take(interactiveOnly);
    if (key !== undefined || this.#closed) return Promise.resolve(key);
    return new Promise((resolve) => this.#waiters.push({ interactiveOnly, resolve }));
  }

  /** The next ready key without waiting, or undefined; the caller must `done` it like a `get`. */
  tryGet(): string | undefined {
    return this.#take(false);
  }

  /** The priority a key a worker holds was queued at, so its hub calls can go at the same. */
  priorityOf(key: string): Priority {
    return this.#processing.get(key) ?? 'interactive';
  }

  /** Whether a worker holds the key now (taken and not yet done). */
  isProcessing(key: string): boolean {
    return this.#processing.has(key);
  }

  /** Marks a key finished; a change that arrived meanwhile queues it again. */
  done(key: string): void {
    this.#processing.delete(key);
    const again = this.#dirty.get(key);
    if (again === undefined) return;
    this.#dirty.delete(key);
    this.add(key, again);
  }

  /** Stops handing out keys: waiting workers get undefined, delayed keys are dropped. */
  close(): void {
    this.#closed = true;
    for (const delayed of this.#delayed.values()) delayed.cancel.abort();
    this.#delayed.clear();
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(undefined);
  }

  stats(): { queued: number; processing: number; delayed: number } {
    return {
      queued: this.#queued.size,
      processing: this.#processing.size,
      delayed: this.#delayed.size,
    };
  }

  #take(interactiveOnly: boolean): string | undefined {
    if (this.#closed) return undefined;
    const waiting = this.#waiting;
    const backgroundsTurn =
      this.#interactiveGetsInARow >= this.#options.backgroundEvery - 1 && waiting.background > 0;
    let priority: Priority | undefined;
    if (interactiveOnly) {
      // Outside the share rule: these workers never take background work, so owe it no turn.
      if (waiting.interactive > 0) priority = 'interactive';
    } else if (waiting.interactive > 0 && !backgroundsTurn) {
      priority = 'interactive';
      this.#interactiveGetsInARow += waiting.background > 0 ? 1 : 0;
    } else {
      this.#interactiveGetsInARow = 0;
      if (waiting.background > 0) priority = 'background';
    }
    if (priority === undefined) return undefined;
    const key = this.#ready[priority].take((k, seq) => this.#queued.get(k)?.seq === seq);
    if (key === undefined) return undefined;
    waiting[priority] -= 1;
    const queued = this.#queued.get(key);
    this.#queued.delete(key);
    this.#processing.set(key, queued?.priority ?? 'interactive');
    if (queued) this.#observer.dequeued?.(this.#clock.now() - queued.since);
    return key;
  }

  /** Hands a newly ready key to the longest-waiting worker that may take it. */
  #wakeOne(): void {
    for (const [index, waiter] of this.#waiters.entries()) {
      const key = this.#take(waiter.interactiveOnly);
      if (key === undefined) continue;
      this.#waiters.splice(index, 1);
      waiter.resolve(key);
      return;
    }
  }
}
