/**
 * Whether a hub is reachable, as one shared state. After a few consecutive transport failures
 * the hub is `down`: callers fail fast without sending, and a single prober alone knocks on the
 * hub with growing, jittered delays until it answers. Listeners hear each change once, which is
 * what lets reconcilers report "hub unavailable" once and resume together when it is back.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { backoffDelay, type RetryPolicy } from './retry-timing.ts';

export type HubStatus = 'unknown' | 'up' | 'down';

export interface HubState {
  readonly status: HubStatus;
  /** When the status last changed (clock milliseconds). */
  readonly since: number;
  /** Why the hub is down: the last failure's message. */
  readonly reason?: string;
}

export interface HealthOptions {
  /** Consecutive transport failures, with no success between, that mark the hub down. */
  readonly failuresToDown: number;
  /** Delay before the first probe and the ceiling of the probe backoff. */
  readonly probeDelayMs: number;
  readonly maxProbeDelayMs: number;
}

export const defaultHealthOptions: HealthOptions = {
  failuresToDown: 2,
  probeDelayMs: 1_000,
  // Gentle enough (about 7 probes a minute) and notices a recovered hub within 10 s.
  maxProbeDelayMs: 10_000,
};

export type HealthListener = (state: HubState) => void;

export class HubHealth {
  readonly #probe: () => Promise<void>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: HealthOptions;
  readonly #random: () => number;
  readonly #listeners = new Set<HealthListener>();
  readonly #closed = new AbortController();
  #state: HubState;
  #failures = 0;
  #probing = false;
  #probes = 0;
  #downAt = 0;

  /** `probe` must resolve only when the hub answers; it is never called while the hub is up. */
  constructor(
    probe: () => Promise<void>,
    deps: { clock: Clock; logger: Logger; random: () => number },
    options: Partial<HealthOptions> = {},
  ) {
    this.#probe = probe;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#random = deps.random;
    this.#options = { ...defaultHealthOptions, ...options };
    this.#state = { status: 'unknown', since: deps.clock.now() };
  }

  get state(): HubState {
    return this.#state;
  }

  /** Probes sent since start: the cost of an outage to the hub. */
  get probes(): number {
    return this.#probes;
  }

  /** Calls `listener` on every change of status; returns the unsubscribe function. */
  onChange(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The hub answered (any HTTP status counts: it is reachable). */
  reportAnswer(): void {
    this.#failures = 0;
    if (this.#state.status !== 'up') this.#set({ status: 'up', since: this.#clock.now() });
  }

  /** A request could not reach the hub or got a gateway error. */
  reportUnreachable(reason: string): void {
    this.#failures += 1;
    if (this.#state.status === 'down' || this.#failures < this.#options.failuresToDown) return;
    this.#set({ status: 'down', since: this.#clock.now(), reason });
    void this.#probeUntilUp();
  }

  /** Stops probing; the state stays as it is. */
  close(): void {
    this.#closed.abort(new Error('hub client closed'));
  }

  #set(state: HubState): void {
    const previous = this.#state.status;
    this.#state = state;
    if (state.status === 'down') {
      this.#downAt = state.since;
      this.#logger.warn(
        { reason: state.reason },
        'JupyterHub became unreachable; probing it with backoff',
      );
    } else if (previous === 'down') {
      this.#logger.info({ downForMs: state.since - this.#downAt }, 'JupyterHub is reachable again');
    }
    for (const listener of this.#listeners) listener(state);
  }

  async #probeUntilUp(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    const policy: RetryPolicy = {
      maxAttempts: Infinity,
      baseDelayMs: this.#options.probeDelayMs,
      maxDelayMs: this.#options.maxProbeDelayMs,
      maxRetryAfterMs: 0,
    };
    try {
      for (let attempt = 1; this.#state.status === 'down'; attempt++) {
        await this.#clock.sleep(backoffDelay(attempt, policy, this.#random), this.#closed.signal);
        if (this.#state.status !== 'down') break;
        this.#probes += 1;
        try {
          await this.#probe();
          this.reportAnswer();
        } catch (err) {
          this.#logger.debug({ err: String(err) }, 'JupyterHub probe failed');
        }
      }
    } catch {
      // closed while sleeping
    } finally {
      this.#probing = false;
    }
  }
}
