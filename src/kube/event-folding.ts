/**
 * Which routine Events are written one by one and which are summed up: a bulk sync of thousands
 * of objects would otherwise cost the API server one Event write per object on top of the status
 * that already says the same. Pure bookkeeping over times it is given; the recorder writes.
 */

export interface FoldingOptions {
  /** Normal Events of one reason about one kind in one namespace written one by one per window. */
  readonly burst: number;
  /** The window, and how often a summary of the Events past the burst is written. */
  readonly windowMs: number;
}

export const defaultFoldingOptions: FoldingOptions = { burst: 10, windowMs: 60_000 };

/** What a summary says: how many Events were folded, and the last of them as written. */
export interface Fold<E> {
  readonly folded: number;
  readonly last: E;
}

interface Window<E> {
  start: number;
  written: number;
  folded: number;
  last: E | undefined;
}

/**
 * Counts Events per key (the recorder's: namespace, kind and reason) in fixed windows.
 * Invariant: every Event offered is either admitted or counted into exactly one summary, so
 * `written + summed up` always equals what was offered.
 */
export class EventFolding<E> {
  readonly options: FoldingOptions;
  readonly #windows = new Map<string, Window<E>>();

  constructor(options: Partial<FoldingOptions> = {}) {
    this.options = { ...defaultFoldingOptions, ...options };
  }

  /**
   * `admit` when the Event is to be written now; otherwise it is counted and `due` says when the
   * window that holds it ends (the caller then calls `take` with the key at that time).
   */
  offer(key: string, event: E, now: number): { admit: true } | { admit: false; due: number } {
    let window = this.#windows.get(key);
    if (!window || now >= window.start + this.options.windowMs) {
      if (window && window.folded > 0) {
        // The summary of the last window is still owed: it stays, and a new window begins after it.
        window.start = now;
        window.written = 0;
      } else {
        window = { start: now, written: 0, folded: 0, last: undefined };
        this.#windows.set(key, window);
      }
    }
    if (window.written < this.options.burst) {
      window.written += 1;
      return { admit: true };
    }
    window.folded += 1;
    window.last = event;
    return { admit: false, due: window.start + this.options.windowMs };
  }

  /** The Events folded under `key` since the last take, or undefined when there are none. */
  take(key: string): Fold<E> | undefined {
    const window = this.#windows.get(key);
    if (!window || window.folded === 0 || window.last === undefined) return undefined;
    const fold = { folded: window.folded, last: window.last };
    window.folded = 0;
    window.last = undefined;
    return fold;
  }

  /** Forgets windows that ended before `now` with nothing owed; O(keys). */
  prune(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.folded === 0 && now >= window.start + this.options.windowMs) {
        this.#windows.delete(key);
      }
    }
  }
}
