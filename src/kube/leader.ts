/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
 * every retry period; others take over only when the record has not changed for a whole lease
 * duration by their own clock. Writes carry the resourceVersion read, so a 409 means another
 * replica won the race. A leader that cannot renew within the renew deadline stops leading.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { KubeClient } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';
import { microTime } from './micro-time.ts';

export interface LeaderOptions {
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (pod name); must differ between replicas. */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export const defaultLeaderTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export interface LeaderCallbacks {
  readonly startedLeading: () => void;
  /** Called once when leadership is lost (not on a voluntary release). */
  readonly stoppedLeading: () => void;
}

export class LeaderElector {
  readonly #kube: KubeClient;
  readonly #options: LeaderOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #stop = new AbortController();
  #leading = false;
  #lastRenew = 0;
  /** The last record seen from someone else, and when we first saw it (our clock). */
  #observed: { holder: string; renewTime: string; at: number } | undefined;
  #loop: Promise<void> | undefined;

  constructor(kube: KubeClient, options: LeaderOptions, deps: { clock: Clock; logger: Logger }) {
    this.#kube = kube;
    this.#options = options;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** Starts campaigning; callbacks fire on each change of leadership. */
  start(callbacks: LeaderCallbacks): void {
    this.#loop ??= this.#run(callbacks);
  }

  /** Stops campaigning and, when leading, hands the lease back so another replica takes over at once. */
  async release(): Promise<void> {
    if (!(await this.#stopCampaigning())) return;
    try {
      const lease = await this.#read();
      if (lease?.spec?.holderIdentity !== this.#options.identity) return;
      lease.spec = {
        ...lease.spec,
        holderIdentity: undefined,
        leaseDurationSeconds: 1,
        renewTime: microTime(this.#clock.now()),
      };
      await this.#kube.request('PUT', this.#path(), { body: lease });
      this.#logger.info({ lease: this.#options.name }, 'Released the leader lease');
    } catch (err) {
      this.#logger.warn({ err: String(err) }, 'Could not release the leader lease; it will expire');
    }
  }

  /**
   * Stops campaigning and renewing but keeps the lease: another replica leads only once it has
   * expired, a lease duration after the last renewal, so that what this one still has in flight
   * lands before the next leader reads the hub.
   */
  async abandon(): Promise<void> {
    if (await this.#stopCampaigning())
      this.#logger.warn(
        { lease: this.#options.name, expiresInMs: this.#options.leaseDurationMs },
        'Left the leader lease to expire',
      );
  }

  /** Ends the campaign; whether this replica was leading until now. */
  async #stopCampaigning(): Promise<boolean> {
    this.#stop.abort();
    await this.#loop;
    const leading = this.#leading;
    this.#leading = false;
    return leading;
  }

  async #run(callbacks: LeaderCallbacks): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const held = await this.#boundedRound();
      const now = this.#clock.now();
      if (held) {
        this.#lastRenew = now;
        if (!this.#leading) {
          this.#leading = true;
          this.#logger.info({ identity: this.#options.identity }, 'Became the leader');
          callbacks.startedLeading();
        }
      } else if (this.#leading && now - this.#lastRenew >= this.#options.renewDeadlineMs) {
        this.#leading = false;
        this.#logger.error({ identity: this.#options.identity }, 'Lost the leader lease');
        callbacks.stoppedLeading();
        return;
      }
      await this.#clock.sleep(this.#options.retryPeriodMs, this.#stop.signal).catch(() => {});
    }
  }

  /**
   * One round, given up at the renew deadline (a leader's) or after one (a candidate's): a call
   * to a partitioned kube-apiserver can hang with no reset, and a leader waiting on it would go
   * on leading, and writing to the hub, after another replica has taken the lease over.
   */
  async #boundedRound(): Promise<boolean> {
    const { renewDeadlineMs } = this.#options;
    const limit = this.#leading
      ? this.#lastRenew + renewDeadlineMs - this.#clock.now()
      : renewDeadlineMs;
    const timer = new AbortController();
    const round = this.#tryAcquireOrRenew().catch((err: unknown) => {
      this.#logger.debug({ err: String(err) }, 'Leader election round failed');
      return false;
    });
    const deadline = this.#clock.sleep(Math.max(0, limit), timer.signal).then(
      () => false,
      () => false,
    );
    try {
      return await Promise.race([round, deadline]);
    } finally {
      timer.abort();
    }
  }

  /** One round: true when we hold the lease afterwards. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity } = this.#options;
    const now = this.#clock.now();
    const lease = await this.#read();
    if (!lease) {
      await this.#kube.request('POST', this.#path(false), {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: this.#spec(now, now, 0),
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (holder !== identity && holder !== '' && !this.#expired(holder, spec, now)) return false;
    const acquiring = holder !== identity;
    const acquired = acquiring ? now : (timeMs(spec.acquireTime) ?? now);
    const transitions = (spec.leaseTransitions ?? 0) + (acquiring ? 1 : 0);
    lease.spec = this.#spec(acquired, now, transitions);
    await this.#kube.request('PUT', this.#path(), { body: lease });
    return true;
  }

  /** Whether another holder's record has stood unchanged for a lease duration by our clock. */
  #expired(holder: string, spec: LeaseSpec, now: number): boolean {
    const renewTime = String(timeMs(spec.renewTime) ?? '');
    if (this.#observed?.holder !== holder || this.#observed.renewTime !== renewTime) {
      this.#observed = { holder, renewTime, at: now };
    }
    const duration = (spec.leaseDurationSeconds ?? this.#options.leaseDurationMs / 1000) * 1000;
    return now >= this.#observed.at + duration;
  }

  #spec(acquired: number, renewed: number, transitions: number): LeaseSpec {
    return {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: Math.ceil(this.#options.leaseDurationMs / 1000),
      acquireTime: microTime(acquired),
      renewTime: microTime(renewed),
      leaseTransitions: transitions,
    };
  }

  async #read(): Promise<Lease | undefined> {
    try {
      return await this.#kube.request<Lease>('GET', this.#path());
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 'KUBE_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** The Lease's path, or (`false`) its collection's. */
  #path(named = true): string {
    const { namespace, name } = this.#options;
    const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
    return named ? `${collection}/${encodeURIComponent(name)}` : collection;
  }
}

/** The fields of a coordination.k8s.io/v1 Lease the election reads and writes. */
interface LeaseSpec {
  holderIdentity?: string | undefined;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

function timeMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
