// Convergence at scale from cold, and through a hub restart mid-sync, with the hub calls the
// operator made counted from its own /metrics. SCALE_N sets the number of HubUsers (default 1000).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub, restartHub } from '../support/real-hub.ts';
import {
  Resources,
  condition,
  metricSum,
  ready,
  inParallel,
  hubWriteCount,
} from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const size = Number(process.env['SCALE_N'] ?? 1_000);
const tag = randomBytes(3).toString('hex');
const username = (i: number): string => `s${tag}-${String(i).padStart(5, '0')}`;
let r: Resources;
let operator: OperatorProcess | undefined;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'scale'));
});
after(async () => {
  await operator?.stop('SIGKILL');
  await hub.close();
});

async function hubCalls(): Promise<{ reads: number; writes: number; text: string }> {
  const text = await (
    await fetch(`http://127.0.0.1:${await operator!.metricsPort()}/metrics`)
  ).text();
  const reads = metricSum(text, 'hubops_hub_requests_total', ['method="GET"']);
  const writes = hubWriteCount(text);
  return { reads, writes, text };
}

test(`${size} HubUsers and a ${size}-member group converge from cold`, async (t) => {
  const indexes = Array.from({ length: size }, (_, i) => i);
  await inParallel(indexes, 16, (i) =>
    r.create(
      'hubusers',
      `u${i}`,
      { username: username(i), admin: i % 100 === 0 },
      { labels: { course: tag } },
    ),
  );
  await r.create('hubgroups', 'everyone', {
    groupName: `g${tag}`,
    memberSelector: { matchLabels: { course: tag } },
  });

  const started = Date.now();
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '600',
    LEASE_NAME: `scale-${tag}`,
  });
  await until(
    async () => (await hub.groups.get(`g${tag}`))?.users.length === size,
    180_000,
    'the group holds every user',
  );
  await r.settled('hubgroups', 'everyone', ready, 60_000);
  await until(
    async () =>
      (
        await Promise.all(
          [0, Math.floor(size / 2), size - 1].map((i) => r.get('hubusers', `u${i}`)),
        )
      ).every((o) => o && ready(o)),
    60_000,
    'sample users Ready',
  );
  const seconds = (Date.now() - started) / 1000;
  const calls = await hubCalls();
  const bulk = metricSum(calls.text, 'hubops_hub_requests_total', [
    'method="POST"',
    'route="/users"',
  ]);
  const membership = metricSum(calls.text, 'hubops_hub_requests_total', [
    'route="/groups/{name}/users"',
  ]);
  t.diagnostic(
    `cold: ${size} users + 1 group in ${seconds.toFixed(1)} s; hub calls: ${calls.reads} reads, ${calls.writes} writes (${bulk} bulk creates, ${membership} membership calls)`,
  );
  assert.equal((await hub.users.get(username(0)))?.admin, true);
  // Batches of up to 25 (the admin flag, every 100th user, needs batches of its own). Each
  // object's ownership is written before its create, so names reach the batcher spread out and
  // many batches go out part full (60-80 here against 40 when full). This guards against losing
  // batching (1,000 calls), nothing finer: make bench measures it.
  assert.ok(bulk <= 2.5 * Math.ceil(size / 25) + Math.ceil(size / 100), `bulk creates: ${bulk}`);
  // While members are still being created the group adds, each round, those that exist: at
  // most about one round a second (HubUser changes are coalesced for a second).
  assert.ok(
    membership <= Math.ceil(seconds) + 2,
    `membership calls: ${membership} in ${seconds.toFixed(1)} s`,
  );
  assert.ok(calls.writes < size / 10, `writes: ${calls.writes}`);
});

test('a sweep over them all costs ceil(users / 200) user pages and writes nothing', async (t) => {
  await operator!.stop('SIGTERM');
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '600',
    LEASE_NAME: `scale-${tag}`,
  });
  await operator.logged('Became the leader');
  await until(
    async () => metricSum((await hubCalls()).text, 'hubops_reconcile_total') >= size + 1,
    120_000,
    'every object reconciled after the restart',
  );
  const calls = await hubCalls();
  const users = (await hub.users.list()).size;
  const pages = metricSum(calls.text, 'hubops_hub_requests_total', [
    'method="GET"',
    'route="/users"',
  ]);
  const writeLines = calls.text
    .split('\n')
    .filter((l) => l.startsWith('hubops_hub_requests_total') && !l.includes('method="GET"'));
  t.diagnostic(
    `operator restart over ${size} objects: ${calls.reads} hub reads (${pages} user pages for ${users} hub users), ${calls.writes} writes ${writeLines.join('; ')}`,
  );
  assert.equal(calls.writes, 0);
  assert.equal(pages, Math.ceil(users / 200));
  // The restart target: the sweep (user pages + one group page) plus the version and token reads.
  assert.ok(calls.reads <= pages + 1 + 2, `reads: ${calls.reads}`);
});

test('a hub restart in the middle of a sync loses nothing and duplicates nothing', async (t) => {
  const extra = Array.from({ length: 200 }, (_, i) => size + i);
  const creating = inParallel(extra, 8, (i) =>
    r.create('hubusers', `u${i}`, { username: username(i) }, { labels: { course: tag } }),
  );
  await until(
    async () => (await hub.users.get(username(size + 20))) !== null,
    30_000,
    'the sync has begun',
  );
  await restartHub(env, 2_000);
  await creating;
  await until(
    async () => (await hub.groups.get(`g${tag}`))?.users.length === size + 200,
    120_000,
    'every user back in the group',
  );
  const all = await hub.users.list();
  const ours = [...all.keys()].filter((name) => name.startsWith(`s${tag}-`));
  t.diagnostic(`after the hub restart: ${ours.length} hub users for ${size + 200} HubUsers`);
  assert.equal(ours.length, size + 200);
  const sample = await r.get('hubusers', `u${size + 199}`);
  assert.ok(sample && ready(sample), JSON.stringify(sample?.status));
  assert.equal(condition(sample, 'Synced')?.status, 'True');
});
