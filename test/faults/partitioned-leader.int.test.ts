// The leader loses the kube-apiserver (its connections hang, as in a network partition) but
// still reaches the hub. Its lease lapses and the standby takes over; the cut-off leader must
// stop writing to the hub by its renew deadline, or two writers fight over the same users.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubProxy, isWrite } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, ready, type CustomObject } from '../support/resources.ts';
import { TcpRelay } from '../support/tcp-relay.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const lease = { duration: 6, renewDeadline: 4, retryPeriod: 1 };
const size = 10;
const tag = randomBytes(3).toString('hex');
const username = (i: number): string => `p${tag}-${String(i).padStart(2, '0')}`;
const relayedPath = join(tmpdir(), `partition-${tag}.kubeconfig`);
let r: Resources;
let proxy: HubProxy;
let relay: TcpRelay;
const replicas: OperatorProcess[] = [];

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'partition'));
  proxy = await HubProxy.start(env.hubApiUrl);
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  relay = await TcpRelay.start(server.hostname, Number(server.port));
});
after(async () => {
  await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
  await relay.stop();
  await proxy.stop();
  await hub.close();
  rmSync(relayedPath, { force: true });
});

/** A kubeconfig like the test's, but reaching the kube-apiserver through the relay. */
function relayedKubeconfig(): string {
  const server = kc.getCurrentCluster()?.server ?? '';
  const relayed = server.replace(/:\d+$/, `:${relay.port}`);
  writeFileSync(relayedPath, readFileSync(env.kubeconfig, 'utf8').replace(server, relayed));
  return relayedPath;
}

async function replica(name: string, kubeconfig: string): Promise<OperatorProcess> {
  const started = startOperator(
    { ...env, kubeconfig },
    {
      HUB_API_URL: await proxy.listen(name),
      POD_NAME: name,
      WATCH_NAMESPACE: r.namespace,
      // A short resync: a leader that still thinks it leads compares its stale cache with the hub.
      RESYNC_SECONDS: '3',
      LEASE_NAME: `partition-${tag}`,
      LEASE_DURATION_SECONDS: String(lease.duration),
      LEASE_RENEW_DEADLINE_SECONDS: String(lease.renewDeadline),
      LEASE_RETRY_PERIOD_SECONDS: String(lease.retryPeriod),
    },
  );
  replicas.push(started);
  return started;
}

async function allReady(admin: boolean): Promise<boolean> {
  const objects = await Promise.all(
    Array.from({ length: size }, (_, i) => r.get('hubusers', `u${i}`)),
  );
  return objects.every(
    (o): o is CustomObject => o !== undefined && ready(o) && o.spec['admin'] === admin,
  );
}

test('a leader cut off from the kube-apiserver stops writing to the hub before the standby leads', async (t) => {
  const a = await replica('replica-a', relayedKubeconfig());
  await a.logged('Became the leader', 30_000);
  const b = await replica('replica-b', env.kubeconfig);
  await b.logged('Started', 30_000);
  await Promise.all(
    Array.from({ length: size }, (_, i) =>
      r.create('hubusers', `u${i}`, { username: username(i), admin: false }),
    ),
  );
  await until(() => allReady(false), 60_000, 'every HubUser Ready');

  relay.hang();
  const cutAt = Date.now();
  const led = await b.logged('Became the leader', 30_000);
  const ledAt = Date.parse(String(led['time']));
  // Edits the cut-off leader cannot see: its cache still says admin false.
  await Promise.all(
    Array.from({ length: size }, (_, i) => r.patch('hubusers', `u${i}`, { spec: { admin: true } })),
  );
  await until(() => allReady(true), 60_000, 'the edits applied by the new leader');
  // Three resync periods of the cut-off leader, had it kept going.
  await new Promise((resolve) => setTimeout(resolve, 10_000));

  const aWrites = proxy.records.filter((rec) => rec.via === 'replica-a' && isWrite(rec));
  const aAfterTakeover = aWrites.filter((rec) => rec.at >= ledAt);
  const lost = a.lines.find((l) => l['msg'] === 'Lost the leader lease');
  const lostMs = lost ? Date.parse(String(lost['time'])) - cutAt : NaN;
  const hubAdmins = await Promise.all(
    Array.from({ length: size }, async (_, i) => (await hub.users.get(username(i)))?.admin),
  );
  t.diagnostic(
    `lease ${lease.duration}/${lease.renewDeadline}/${lease.retryPeriod} s: cut-off leader gave up ${(lostMs / 1000).toFixed(1)} s after the cut, ` +
      `standby led after ${((ledAt - cutAt) / 1000).toFixed(1)} s; hub writes by the cut-off leader after the takeover: ${aAfterTakeover.length} ` +
      `(${aAfterTakeover.map((rec) => `${rec.method} ${rec.path}`).join(', ') || 'none'}); ${hubAdmins.filter(Boolean).length} of ${size} admin in the hub`,
  );
  assert.equal(aAfterTakeover.length, 0, 'no hub write from the cut-off leader after the takeover');
  // It can only know at its first failed round past the deadline; a hung round must count.
  assert.ok(
    lostMs <= (lease.renewDeadline + 2 * lease.retryPeriod) * 1000,
    `gave up after ${lostMs} ms`,
  );
  assert.ok(
    hubAdmins.every((admin) => admin === true),
    'the hub holds what the new leader applied',
  );
});
