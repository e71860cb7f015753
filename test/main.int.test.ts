// The operator process end to end: settings, health, metrics, logs, the Lease, and the HubUser
// controller loop against the real kube-apiserver and hub.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import type { HubUser } from '../src/api/hubuser.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from './support/kube.ts';
import { startOperator, type OperatorProcess } from './support/operator.ts';
import { loadTestenv } from './support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const api = kc.makeApiClient(k8s.CustomObjectsApi);
const resource = { group: 'hubops.io', version: 'v1alpha1', plural: 'hubusers' };
const lease = `hubops-main-${randomBytes(3).toString('hex')}`;
let namespace = '';
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  namespace = await freshNamespace(kc, 'main');
  operator = startOperator(env, {
    WATCH_NAMESPACE: namespace,
    RESYNC_SECONDS: '1',
    LEASE_NAME: lease,
  });
});
after(() => operator.stop('SIGKILL'));

const read = async (name: string): Promise<HubUser> =>
  (await api.getNamespacedCustomObject({ ...resource, namespace, name })) as HubUser;
const get = async (port: number, path: string): Promise<{ status: number; body: string }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
};

for (const [settings, named] of [
  [{ HUB_API_TOKEN: '' }, 'HUB_API_TOKEN'],
  [{ HUB_API_TOKEN: '', HUB_API_TOKEN_FILE: '/nonexistent/token' }, 'HUB_API_TOKEN_FILE'],
  [{ RESYNC_SECONDS: 'often' }, 'RESYNC_SECONDS'],
  [{ HUB_API_URL: 'hub:8081' }, 'HUB_API_URL'],
  [{ LEADER_ELECTION: 'maybe' }, 'LEADER_ELECTION'],
  [{ KUBECONFIG: '/nonexistent/kubeconfig' }, 'KUBECONFIG'],
] as const) {
  test(`a bad ${named} stops the operator at start-up with one line naming it`, async () => {
    const bad = startOperator(env, settings);
    assert.equal(await bad.exited, 1);
    const lines = bad.stderr.join('').trim().split('\n');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', new RegExp(`^hubops: invalid setting ${named}: `));
  });
}

test('a running operator is healthy, ready once it has listed, leads, and serves metrics', async () => {
  const health = await operator.healthPort();
  assert.deepEqual(await get(health, '/healthz'), { status: 200, body: 'ok\n' });
  await until(async () => (await get(health, '/readyz')).status === 200, 10_000, 'ready');
  await operator.logged('Became the leader');
  const holder = (
    await kc
      .makeApiClient(k8s.CoordinationV1Api)
      .readNamespacedLease({ name: lease, namespace: 'default' })
  ).spec?.holderIdentity;
  assert.ok(holder);
  const metrics = await get(await operator.metricsPort(), '/metrics');
  for (const name of [
    'hubops_reconcile_total',
    'hubops_queue_depth',
    'hubops_hub_requests_total',
    'hubops_leader 1',
    'hubops_hub_up{hub="settings"} 1',
    'hubops_informer_restarts_total',
  ]) {
    assert.ok(metrics.body.includes(name), `${name} in /metrics`);
  }
  assert.ok(
    operator.lines.every((line) => !('notJson' in line)),
    'every log line is JSON',
  );
  assert.ok(
    operator.lines.every(
      (line) => typeof line['level'] === 'string' && typeof line['time'] === 'string',
    ),
  );
});

test('a HubUser gets the finalizer and a status for its generation, and a steady state writes nothing', async (t) => {
  await api.createNamespacedCustomObject({
    ...resource,
    namespace,
    body: {
      apiVersion: 'hubops.io/v1alpha1',
      kind: 'HubUser',
      metadata: { name: 'ada' },
      spec: { username: 'ada@example.org' },
    },
  });
  await until(
    async () => (await read('ada')).status?.observedGeneration === 1,
    10_000,
    'status for generation 1',
  );
  const first = await read('ada');
  assert.deepEqual(first.metadata.finalizers, ['hubops.io/cleanup']);
  assert.equal(first.status?.username, 'ada@example.org');
  assert.deepEqual(
    first.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
    [
      ['Ready', 'True', 'Created'],
      ['Synced', 'True', 'Created'],
    ],
  );

  await api.patchNamespacedCustomObject(
    { ...resource, namespace, name: 'ada', body: { spec: { admin: true } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await until(
    async () => (await read('ada')).status?.observedGeneration === 2,
    10_000,
    'status for generation 2',
  );
  const settled = await read('ada');
  const transition = settled.status?.conditions?.[0]?.lastTransitionTime;
  assert.equal(
    transition,
    first.status?.conditions?.[0]?.lastTransitionTime,
    'no status flip, no new transition time',
  );

  const windowMs = 6_000;
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = await read('ada');
  const writes =
    Number(after.metadata.resourceVersion) === Number(settled.metadata.resourceVersion) ? 0 : 1;
  t.diagnostic(
    `status writes in a steady state with a 1 s resync: ${writes} in ${windowMs / 1000} s`,
  );
  assert.equal(after.metadata.resourceVersion, settled.metadata.resourceVersion);
});

test('deleting a HubUser runs cleanup and removes the finalizer', async () => {
  await api.deleteNamespacedCustomObject({ ...resource, namespace, name: 'ada' });
  await until(
    async () => {
      try {
        await read('ada');
        return false;
      } catch (err) {
        return err instanceof k8s.ApiException && err.code === 404;
      }
    },
    10_000,
    'the object is gone',
  );
  await operator.logged('Finalized');
});

test('SIGTERM drains, releases the lease and exits 0', async () => {
  assert.equal(await operator.stop('SIGTERM'), 0);
  assert.ok(operator.lines.some((l) => l['msg'] === 'Released the leader lease'));
  const spec = (
    await kc
      .makeApiClient(k8s.CoordinationV1Api)
      .readNamespacedLease({ name: lease, namespace: 'default' })
  ).spec;
  assert.equal(spec?.holderIdentity, undefined);
});
