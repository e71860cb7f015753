/**
 * The operator's Prometheus metrics in one registry, created by main and handed to the parts
 * that report: reconciles, the work queues, hub requests, leadership, informer restarts.
 * Other layers see only the small observer callbacks they define; this file adapts them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

  /** Reads a kind's queue depth at each scrape. */
  trackQueueDepth(kind: string, depth: () => number): void {
    this.#depthSources.set(kind, depth);
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hubops_' });
  }
}
