// Every hub answer takes 2 s longer (a proxy holds it) while the operator works through a backlog
// of 150 new HubUsers found at start-up. The queue holds keys, so its depth stays within the
// number of objects; an edit to a user that is already converged reaches the hub ahead of the
// backlog, because a user's change goes before the first list's work; and memory stays flat.
// SLOW_MS sets the delay (default 2000), SLOW_N the backlog (default 150).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HubProxy, isBulkCreate } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, metricSum, ready, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const delayMs = Number(process.env['SLOW_MS'] ?? 2_000);
const backlog = Number(process.env['SLOW_N'] ?? 150);
const converged = 3;
const workers = 32;
const tag = randomBytes(3).toString('hex');
const username = (name: string): string => `w${tag}-${name}`;
const mb = 1024 * 1024;
let r: Resources;
let proxy: HubProxy;
let operator: OperatorProcess | undefined;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'slowhub'));
  proxy = await HubProxy.start(env.hubApiUrl);
});
after(async () => {
  await operator?.stop('SIGKILL');
  await proxy.stop();
  await hub.close();
});

function run(): OperatorProcess {
  return startOperator(env, {
    HUB_API_URL: proxy.url(),
    // Few workers: the backlog waits in the queue, where a user's change can go ahead of it,
    // rather than inside workers that have already picked their keys.
    WORKERS: String(workers),
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '600',
    LEASE_NAME: `slowhub-${tag}`,
  });
}

async function allReady(names: readonly string[]): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 500)); // hundreds of reads a round
  const objects = await Promise.all(names.map((name) => r.get('hubusers', name)));
  return objects.every((o): o is CustomObject => o !== undefined && ready(o));
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? NaN) * 1024;
}

test(`every hub answer ${delayMs / 1000} s late while ${backlog} new HubUsers wait`, async (t) => {
  // The users to edit later converge first, on a prompt hub.
  const early = Array.from({ length: converged }, (_, i) => `early${i}`);
  await Promise.all(early.map((name) => r.create('hubusers', name, { username: username(name) })));
  operator = run();
  await until(() => allReady(early), 60_000, 'the first users Ready');
  await operator.stop('SIGTERM');

  // The backlog is there when the operator starts: its first list is background work.
  const names = Array.from({ length: backlog }, (_, i) => `u${i}`);
  for (let i = 0; i < backlog; i += 50) {
    await Promise.all(
      names
        .slice(i, i + 50)
        .map((name) => r.create('hubusers', name, { username: username(name) })),
    );
  }
  const startedAt = Date.now();
  operator = run();
  const pid = operator.child.pid ?? 0;
  const metricsPort = await operator.metricsPort();
  const samples: { at: number; depth: number; rss: number; heap: number }[] = [];
  const sampling = setInterval(() => {
    void fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      .then((res) => res.text())
      .then((text) =>
        samples.push({
          at: Date.now(),
          depth: metricSum(text, 'hubops_queue_depth', ['kind="HubUser"']),
          rss: rssBytes(pid),
          heap: metricSum(text, 'hubops_nodejs_heap_size_used_bytes'),
        }),
      )
      .catch(() => {}); // a scrape that misses is no finding
  }, 1_000);

  try {
    // The hub turns slow as the backlog reaches it: the start-up sweep stays prompt, so that the
    // test's length does not grow with the users earlier tests left in the hub.
    await until(
      () => proxy.records.some((rec) => isBulkCreate(rec) && rec.at > startedAt),
      60_000,
      'the backlog reaching the hub',
    );
    proxy.faults = { delayMs };
    const editedAt = Date.now();
    await r.patch('hubusers', 'early0', { spec: { admin: true } });
    await until(
      () => proxy.records.some((rec) => rec.method === 'PATCH' && rec.at > editedAt),
      90_000,
      'the edit reaching the hub',
    );
    const editArrived = proxy.records.find((rec) => rec.method === 'PATCH' && rec.at > editedAt);
    await until(() => allReady([...early, ...names]), 90_000, 'every HubUser Ready');
    const drainedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a late sample, after the work

    const creates = proxy.records.filter((rec) => isBulkCreate(rec) && rec.at > startedAt);
    const createsAfterEdit = creates.filter((rec) => rec.at > (editArrived?.at ?? 0)).length;
    const lastCreate = Math.max(...creates.map((rec) => rec.answeredAt ?? rec.at));
    const editMs = (editArrived?.at ?? NaN) - editedAt;
    const drainMs = lastCreate - creates[0]!.at;
    const maxDepth = Math.max(...samples.map((s) => s.depth));
    // Two late samples: the hub has every user, and the statuses are all written.
    const drainedRss = samples.find((s) => s.at >= lastCreate)?.rss ?? NaN;
    const lateRss = samples.at(-1)?.rss ?? NaN;
    const every5s = (field: 'rss' | 'heap'): string =>
      samples
        .filter((_, i) => i % 5 === 0)
        .map((s) => (s[field] / mb).toFixed(0))
        .join(' ');
    const admin = (await hub.users.get(username('early0')))?.admin;
    t.diagnostic(
      `${delayMs / 1000} s per answer, ${backlog} HubUsers waiting: max queue depth ${maxDepth}; ` +
        `edit reached the hub ${(editMs / 1000).toFixed(1)} s after it was made, ahead of ${createsAfterEdit} of ${creates.length} bulk creates ` +
        `(backlog drained in ${(drainMs / 1000).toFixed(1)} s, all Ready ${((drainedAt - startedAt) / 1000).toFixed(1)} s after start); ` +
        `MB every 5 s: RSS ${every5s('rss')}, heap used ${every5s('heap')} (RSS backlog drained ${(drainedRss / mb).toFixed(0)}, all Ready ${(lateRss / mb).toFixed(0)})`,
    );
    // Keys, not events: each object is queued at most once, whatever the hub's pace.
    assert.ok(maxDepth <= backlog + converged + 5, `queue depth ${maxDepth}`);
    assert.ok(samples.length >= 10, `only ${samples.length} samples`);
    // In arrival order alone the edit would come after the whole backlog; ahead of half of it
    // holds however slow the machine is.
    assert.ok(
      createsAfterEdit >= creates.length / 2,
      `the edit came after ${creates.length - createsAfterEdit} of ${creates.length} bulk creates`,
    );
    assert.equal(admin, true, 'the edit reached the hub');
    assert.ok(
      lateRss - drainedRss < 30 * mb,
      `RSS grew ${((lateRss - drainedRss) / mb).toFixed(0)} MB`,
    );
  } finally {
    clearInterval(sampling);
  }
});
