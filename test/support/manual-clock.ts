/**
 * A Clock for tests. In `manual` mode sleeps wait until the test advances time; in `instant`
 * mode every sleep returns at once, moves time forward by its length and is recorded, which is
 * all a test of retry timing needs.
 */
import type { Clock } from '../../src/clock.ts';

interface Sleeper {
  readonly due: number;
  readonly resolve: () => void;
}

export class ManualClock implements Clock {
  readonly mode: 'manual' | 'instant';
  /** Every sleep asked for, in milliseconds, in order. */
  readonly slept: number[] = [];
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(mode: 'manual' | 'instant' = 'manual', start = Date.UTC(2026, 10, 23)) {
    this.mode = mode;
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.mode === 'instant') {
      this.#now += ms;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = { due: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
  }

  /** Sleepers not yet due. */
  get sleepers(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward, waking due sleepers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#sleepers.filter((s) => s.due <= target).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.#now = Math.max(this.#now, next.due);
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      next.resolve();
      await flush();
    }
    this.#now = target;
    await flush();
  }
}

/** Lets pending promise continuations (and one turn of I/O callbacks) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `condition` on real time until it holds (for tests that mix the manual clock with real I/O). */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
