// The kube-apiserver is SIGKILLed in the middle of a 300-user sync and started again on the same
// port and etcd. The operator keeps running, its informers reconnect, and within one resync of
// the apiserver's return every object is Ready for its generation and the hub matches exactly:
// changes made around the restart, and drift made in the hub meanwhile, included.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ensureCrds,
  freshNamespace,
  kubeConfig,
  restartApiServer,
  until,
} from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import {
  Resources,
  inParallel,
  metricSum,
  ready,
  type CustomObject,
} from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const size = 300;
const resyncSeconds = 20;
const downMs = 3_000;
const tag = randomBytes(3).toString('hex');
const username = (name: string): string => `a${tag}-${name}`;
const labels = { course: tag };
let r: Resources;
let operator: OperatorProcess | undefined;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'apiserver'));
  const names = Array.from({ length: size }, (_, i) => `u${i}`);
  await inParallel(names, 16, (name) =>
    r.create('hubusers', name, { username: username(name) }, { labels }),
  );
  await r.create('hubgroups', 'everyone', {
    groupName: `g${tag}`,
    memberSelector: { matchLabels: labels },
  });
});
after(async () => {
  await operator?.stop('SIGKILL');
  await hub.close();
});

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${await operator!.metricsPort()}/metrics`)).text();
}

async function ourHubUsers(): Promise<Map<string, { admin: boolean }>> {
  const all = await hub.users.list();
  return new Map([...all].filter(([name]) => name.startsWith(`a${tag}-`)));
}

test('a kube-apiserver restart mid-sync loses nothing and leaves nothing stale past one resync', async (t) => {
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: String(resyncSeconds),
    LEASE_NAME: `apiserver-${tag}`,
    // The lease must outlast the restart, or the operator exits by design (to rejoin afresh);
    // this scenario is about the informers, not about leadership.
    LEASE_DURATION_SECONDS: '150',
    LEASE_RENEW_DEADLINE_SECONDS: '120',
  });
  // Mid-sync: enough users done to pick from, most of them still to come.
  let readyBefore: string[] = [];
  await until(
    async () => {
      readyBefore = (await r.list('hubusers')).filter(ready).map((o) => o.metadata.name);
      return readyBefore.length >= 25;
    },
    60_000,
    'the sync has begun',
    200,
  );
  const [drifted, patchedAfter, deletedAfter] = [
    readyBefore.slice(0, 5),
    readyBefore.slice(5, 15),
    readyBefore.slice(15, 25),
  ];
  const patchedBefore = ['u290', 'u291', 'u292', 'u293', 'u294'];
  const createdBefore = Array.from({ length: 10 }, (_, i) => `b${i}`);
  const createdAfter = Array.from({ length: 20 }, (_, i) => `c${i}`);

  // Written just before the kill: their watch events may die with the apiserver.
  await Promise.all([
    ...patchedBefore.map((name) => r.patch('hubusers', name, { spec: { admin: true } })),
    ...createdBefore.map((name) =>
      r.create('hubusers', name, { username: username(name) }, { labels }),
    ),
  ]);
  const kinds = ['HubUser', 'HubGroup', 'HubServer'];
  const restarts = (text: string, kind: string): number =>
    metricSum(text, 'hubops_informer_restarts_total', [`kind="${kind}"`]);
  const textBefore = await metrics();
  const killedAt = Date.now();
  const restarting = restartApiServer(env, downMs);
  // Drift made behind the operator's back while it cannot see Kubernetes either.
  await Promise.all(drifted.map((name) => hub.users.delete(username(name))));
  await restarting;
  const backAt = Date.now();

  await Promise.all([
    ...createdAfter.map((name) =>
      r.create('hubusers', name, { username: username(name) }, { labels }),
    ),
    ...patchedAfter.map((name) => r.patch('hubusers', name, { spec: { admin: true } })),
    ...deletedAfter.map((name) => r.delete('hubusers', name)),
  ]);
  const expected = new Set(
    [...Array.from({ length: size }, (_, i) => `u${i}`), ...createdBefore, ...createdAfter]
      .filter((name) => !deletedAfter.includes(name))
      .map(username),
  );
  const admins = new Set([...patchedBefore, ...patchedAfter].map(username));

  let objects: CustomObject[] = [];
  let group: CustomObject | undefined;
  // One resync repairs the drift; the informers' reconnect backoff (at most 30 s after a
  // failure streak) and the rest of the cold sync fit in the slack.
  const boundMs = (resyncSeconds + 45) * 1000;
  await until(
    async () => {
      objects = await r.list('hubusers');
      group = await r.get('hubgroups', 'everyone');
      if (objects.length !== expected.size || !objects.every(ready) || !group || !ready(group))
        return false;
      const inHub = await ourHubUsers();
      return (
        inHub.size === expected.size &&
        [...expected].every((name) => inHub.get(name)?.admin === admins.has(name)) &&
        (await hub.groups.get(`g${tag}`))?.users.length === expected.size
      );
    },
    boundMs,
    'every object Ready and the hub matching',
    500,
  );
  const convergedMs = Date.now() - backAt;
  const text = await metrics();
  const restarted = kinds.map((kind) => restarts(text, kind) - restarts(textBefore, kind));
  const inHub = await ourHubUsers();
  const members = new Set((await hub.groups.get(`g${tag}`))?.users ?? []);
  const adopted = objects.filter((o) => o.status?.['ownership'] !== 'Created');

  t.diagnostic(
    `kube-apiserver killed with ${readyBefore.length} of ${size} HubUsers Ready, ` +
      `down ${((backAt - killedAt) / 1000).toFixed(1)} s (kill to serving); ` +
      `informer restarts ${kinds.map((kind, i) => `${kind} ${restarted[i]}`).join(', ')}; ` +
      `converged ${(convergedMs / 1000).toFixed(1)} s after it came back (resync ${resyncSeconds} s); ` +
      `${objects.length} HubUsers Ready, ${inHub.size} hub users, ${members.size} group members; ` +
      `${createdBefore.length}+${createdAfter.length} created, ${patchedBefore.length}+${patchedAfter.length} patched, ` +
      `${deletedAfter.length} deleted around the restart, ${drifted.length} hub users deleted behind its back`,
  );
  assert.ok(readyBefore.length < size, 'the kill came in the middle of the sync');
  assert.equal(operator.child.exitCode, null, 'the operator kept running');
  assert.equal(operator.child.signalCode, null, 'the operator kept running');
  for (const [i, kind] of kinds.entries())
    assert.ok((restarted[i] ?? 0) >= 1, `the ${kind} informer restarted`);
  assert.ok(convergedMs <= boundMs);
  assert.deepEqual([...inHub.keys()].sort(), [...expected].sort(), 'no user missing or extra');
  assert.deepEqual([...members].sort(), [...expected].sort(), 'the group holds exactly them');
  for (const name of deletedAfter) assert.equal(await r.get('hubusers', name), undefined);
  assert.deepEqual(
    adopted.map((o) => `${o.metadata.name}: ${String(o.status?.['ownership'])}`),
    [],
    'every hub user was created by the operator, and its status says so',
  );
});
