/**
 * The operator's Prometheus metrics in one registry, created by main and handed to the parts
 * that report: reconciles, the work queues, hub requests, leadership, informer restarts, and
 * read at each scrape: each hub's request budget and last sweep, resources by Ready status.
 * Other layers see only the small observer callbacks they define; this file adapts them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a hub's gauges are read from at each scrape. */
export interface HubGaugeSources {
  budget(): {
    readonly inFlight: number;
    readonly spawnsInFlight: number;
    readonly waitingInteractive: number;
    readonly waitingBackground: number;
  };
  writesHeldMs(): number;
  /** What the operator's snapshot of the hub holds now (last sweep plus its own writes). */
  objects(): { readonly users: number; readonly groups: number; readonly runningServers: number };
  lastSweep():
    | {
        readonly users: number;
        readonly groups: number;
        readonly runningServers: number;
        readonly endedAt: number;
        readonly durationMs: number;
      }
    | undefined;
}

/** A cached resource, as far as its Ready condition goes. */
interface Conditioned {
  readonly metadata: { readonly generation?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  };
}

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'hubops_reconcile_total',
    help: 'Reconciles by kind and result (success, error, requeue).',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileSeconds = new Histogram({
    name: 'hubops_reconcile_duration_seconds',
    help: 'Time one reconcile took, hub calls included.',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #depthSources = new Map<string, () => number>();
  readonly queueDepth = new Gauge({
    name: 'hubops_queue_depth',
    help: 'Keys waiting in the work queue (not counting delayed retries).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [kind, depth] of this.#depthSources) this.queueDepth.set({ kind }, depth());
    },
  });
  readonly queueWaitSeconds = new Histogram({
    name: 'hubops_queue_wait_seconds',
    help: 'Time a key waited in the queue before a worker took it.',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [this.registry],
  });
  readonly hubRequests = new Counter({
    name: 'hubops_hub_requests_total',
    help: 'Requests to the JupyterHub API by hub, method, route template and outcome (HTTP status or error code).',
    labelNames: ['hub', 'method', 'route', 'code'] as const,
    registers: [this.registry],
  });
  readonly hubRequestSeconds = new Histogram({
    name: 'hubops_hub_request_duration_seconds',
    help: 'JupyterHub API request duration by hub, method and route template.',
    labelNames: ['hub', 'method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers: [this.registry],
  });
  readonly hubUp = new Gauge({
    name: 'hubops_hub_up',
    help: '1 when the hub answers, 0 while it is unreachable; by hub (`settings` for HUB_API_URL, else the Hub namespace/name).',
    labelNames: ['hub'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'hubops_leader',
    help: '1 while this replica holds the leader lease (or runs without leader election).',
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: 'hubops_informer_restarts_total',
    help: 'Watch restarts after failures or silence, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly tokensIssued = new Counter({
    name: 'hubops_tokens_issued_total',
    help: 'HubToken tokens issued, by reason (Issued, Rotated, SpecChanged, SecretMissing, SecretEdited, RevokedInHub, Expired).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly tokensRotated = new Counter({
    name: 'hubops_tokens_rotated_total',
    help: 'HubToken tokens replaced before they expired (a rotation or a spec change).',
    registers: [this.registry],
  });
  readonly tokensRevoked = new Counter({
    name: 'hubops_tokens_revoked_total',
    help: 'HubToken tokens revoked in the hub: replaced, exposed, orphaned or deleted with their HubToken.',
    registers: [this.registry],
  });
  /** By hub only: a group label would make one series per group of a 50,000-user hub. */
  readonly groupMembershipFlaps = new Counter({
    name: 'hubops_group_membership_flaps_total',
    help: 'Rounds in which a HubGroup had to put back a member it had already put back at the same generation (undone again, as by an authenticator that manages groups), by hub.',
    labelNames: ['hub'] as const,
    registers: [this.registry],
  });

  readonly #hubSources = new Map<string, HubGaugeSources>();
  readonly #resourceSources = new Map<string, () => Iterable<Conditioned>>();
  readonly hubInFlight = new Gauge({
    name: 'hubops_hub_in_flight_requests',
    help: 'Requests to the hub holding a budget slot, by hub and lane (api, or spawn: server starts waiting on the hub).',
    labelNames: ['hub', 'lane'] as const,
    registers: [this.registry],
    collect: () => {
      this.hubInFlight.reset();
      for (const [hub, sources] of this.#hubSources) {
        const stats = sources.budget();
        this.hubInFlight.set({ hub, lane: 'api' }, stats.inFlight);
        this.hubInFlight.set({ hub, lane: 'spawn' }, stats.spawnsInFlight);
      }
    },
  });
  readonly hubWaiting = new Gauge({
    name: 'hubops_hub_waiting_requests',
    help: "Requests waiting for a slot of the hub's request budget, by hub and priority (interactive, background).",
    labelNames: ['hub', 'priority'] as const,
    registers: [this.registry],
    collect: () => {
      this.hubWaiting.reset();
      for (const [hub, sources] of this.#hubSources) {
        const stats = sources.budget();
        this.hubWaiting.set({ hub, priority: 'interactive' }, stats.waitingInteractive);
        this.hubWaiting.set({ hub, priority: 'background' }, stats.waitingBackground);
      }
    },
  });
  readonly hubWritesHeld = new Gauge({
    name: 'hubops_hub_writes_held_seconds',
    help: "Seconds left of the hub's Retry-After during which writes wait; 0 when none is held.",
    labelNames: ['hub'] as const,
    registers: [this.registry],
    collect: () => {
      this.hubWritesHeld.reset();
      for (const [hub, sources] of this.#hubSources)
        this.hubWritesHeld.set({ hub }, sources.writesHeldMs() / 1000);
    },
  });
  readonly hubLastSweep = new Gauge({
    name: 'hubops_hub_last_sweep_timestamp_seconds',
    help: 'When the last complete sweep of the hub (every user and group) ended, Unix time; absent before the first.',
    labelNames: ['hub'] as const,
    registers: [this.registry],
    collect: () => this.#collectSweeps(),
  });
  readonly hubSweepSeconds = new Gauge({
    name: 'hubops_hub_sweep_duration_seconds',
    help: 'How long the last complete sweep of the hub took.',
    labelNames: ['hub'] as const,
    registers: [this.registry],
    collect: () => this.#collectSweeps(),
  });
  readonly hubObjects = new Gauge({
    name: 'hubops_hub_objects',
    help: "The hub's users, groups and running servers (type) as the operator knows them: the last sweep and its own writes since.",
    labelNames: ['hub', 'type'] as const,
    registers: [this.registry],
    collect: () => {
      this.hubObjects.reset();
      for (const [hub, sources] of this.#hubSources) {
        if (!sources.lastSweep()) continue;
        const objects = sources.objects();
        this.hubObjects.set({ hub, type: 'users' }, objects.users);
        this.hubObjects.set({ hub, type: 'groups' }, objects.groups);
        this.hubObjects.set({ hub, type: 'running_servers' }, objects.runningServers);
      }
    },
  });
  readonly resources = new Gauge({
    name: 'hubops_resources',
    help: 'Resources the operator watches, by kind and Ready status for their current generation (True, False, Unknown: not reconciled since the last change).',
    labelNames: ['kind', 'ready'] as const,
    registers: [this.registry],
    collect: () => {
      this.resources.reset();
      for (const [kind, list] of this.#resourceSources) {
        const counts = { True: 0, False: 0, Unknown: 0 };
        for (const object of list()) counts[readyOf(object)] += 1;
        for (const [ready, count] of Object.entries(counts))
          this.resources.set({ kind, ready }, count);
      }
    },
  });

  /** Reads a hub's budget, Retry-After hold and last sweep at each scrape; returns the undo. */
  trackHub(hub: string, sources: HubGaugeSources): () => void {
    this.#hubSources.set(hub, sources);
    return () => {
      if (this.#hubSources.get(hub) === sources) this.#hubSources.delete(hub);
    };
  }

  /** Counts a kind's cached resources by Ready status at each scrape. */
  trackResources(kind: string, list: () => Iterable<Conditioned>): void {
    this.#resourceSources.set(kind, list);
  }

  /**
   * Sets both sweep gauges together, whichever the scrape reads first; the object counts, which
   * walk every user of the snapshot, are read once per scrape by their own gauge.
   */
  #collectSweeps(): void {
    this.hubLastSweep.reset();
    this.hubSweepSeconds.reset();
    for (const [hub, sources] of this.#hubSources) {
      const sweep = sources.lastSweep();
      if (!sweep) continue;
      this.hubLastSweep.set({ hub }, sweep.endedAt / 1000);
      this.hubSweepSeconds.set({ hub }, sweep.durationMs / 1000);
    }
  }

  /** Reads a kind's queue depth at each scrape. */
  trackQueueDepth(kind: string, depth: () => number): void {
    this.#depthSources.set(kind, depth);
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hubops_' });
  }
}

function readyOf(object: Conditioned): 'True' | 'False' | 'Unknown' {
  const status = object.status;
  if (status?.observedGeneration !== object.metadata.generation) return 'Unknown';
  const ready = status?.conditions?.find((condition) => condition.type === 'Ready')?.status;
  return ready === 'True' || ready === 'False' ? ready : 'Unknown';
}
