/**
 * What the bench reads off the systems under test: the operator's hub calls and reconciles from
 * its /metrics, its resident memory from /proc, and the API server's own count of writes to the
 * operator's kinds and Events (from the kube-apiserver's /metrics, as the cluster admin).
 */
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { apiServerAdmin } from './api-server-admin.ts';
import type { OperatorProcess } from '../support/operator.ts';
import { metricSum } from '../support/resources.ts';
import type { Testenv } from '../support/testenv.ts';

export interface OperatorCounts {
  readonly reads: number;
  readonly writes: number;
  readonly reconciles: number;
  /** Calls per `METHOD route`, for the bench's own log. */
  readonly byRoute: Record<string, number>;
}

export async function operatorCounts(operator: OperatorProcess): Promise<OperatorCounts> {
  const res = await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`);
  const text = await res.text();
  const reads = metricSum(text, 'hubops_hub_requests_total', ['method="GET"']);
  const all = metricSum(text, 'hubops_hub_requests_total');
  const byRoute: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^hubops_hub_requests_total\{.*method="(\w+)".*route="([^"]+)".*\} (\d+)/.exec(
      line,
    );
    if (match) {
      const key = `${match[1]} ${match[2]}`;
      byRoute[key] = (byRoute[key] ?? 0) + Number(match[3]);
    }
  }
  return {
    reads,
    writes: all - reads,
    reconciles: metricSum(text, 'hubops_reconcile_total'),
    byRoute,
  };
}

/** Resident set size of a process, in MB. */
export function rssMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN) / 1024;
}

const writeVerbs = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY']);
const watchedResources = new Set(['hubusers', 'hubgroups', 'hubservers', 'events']);

/**
 * Writes the API server has served to the operator's kinds (status included) and to Events,
 * since it started. Lease renewals are left out: they are the cost of leader election.
 */
export async function apiServerWrites(env: Testenv): Promise<number> {
  const { server, token, dispatcher } = apiServerAdmin(env);
  try {
    const res = await request(`${server}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
      dispatcher,
    });
    let writes = 0;
    for (const line of (await res.body.text()).split('\n')) {
      if (!line.startsWith('apiserver_request_total{')) continue;
      const verb = /verb="([A-Z]+)"/.exec(line)?.[1] ?? '';
      const resource = /resource="([a-z.]+)"/.exec(line)?.[1] ?? '';
      if (writeVerbs.has(verb) && watchedResources.has(resource))
        writes += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return writes;
  } finally {
    await dispatcher.close();
  }
}

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}
