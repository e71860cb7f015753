// A named server declared Stopped on the real hub: JupyterHub 6.0+ gets a record of it without a
// start (PUT) and its display name kept as declared while stopped (PATCH); deleting a server
// hubops made removes the record. Older hubs keep their behaviour: no record, no call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../../support/kube.ts';
import { startLeader, type OperatorProcess } from '../../support/operator.ts';
import { realHub } from '../../support/real-hub.ts';
import { Resources, metricSum, ready, type CustomObject } from '../../support/resources.ts';
import { loadTestenv } from '../../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const tag = randomBytes(3).toString('hex');
const user = `rec-${tag}`;
const recordsExist = Number(env.hubVersion.split('.')[0]) >= 6;
let r: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'server-record'));
  await r.create('hubusers', 'owner', { username: user });
  operator = await startLeader(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '3',
    LEASE_NAME: `rec-${tag}`,
  });
  await r.settled('hubusers', 'owner', ready);
});
after(async () => {
  await operator.stop('SIGKILL');
  await hub.users.delete(user).catch(() => undefined);
  await hub.close();
});

/** The operator's requests to the server route, by method. */
async function serverCalls(method: string): Promise<number> {
  const text = await operator.metrics();
  return metricSum(text, 'hubops_hub_requests_total', [
    `method="${method}"`,
    'route="/users/{name}/servers/{server}"',
  ]);
}

const stoppedAt = (generation: number) => (o: CustomObject) =>
  ready(o) && o.status?.['phase'] === 'Stopped' && o.metadata.generation === generation;

test('a named server declared Stopped gets a stopped record with its display name, kept as the spec changes', async (t) => {
  await r.create('hubservers', 'notes', {
    username: user,
    serverName: 'notes',
    state: 'Stopped',
    ...(recordsExist ? { displayName: 'Notes' } : {}),
  });
  await r.settled('hubservers', 'notes', stoppedAt(1));
  if (!recordsExist) {
    assert.equal(await hub.servers.get(user, 'notes').catch(() => null), null);
    assert.equal(await serverCalls('PUT'), 0, 'no record call on a hub before 6.0');
    t.diagnostic(`JupyterHub ${env.hubVersion}: no server records; nothing sent`);
    return;
  }
  const record = await hub.servers.get(user, 'notes');
  assert.equal(record?.display_name, 'Notes');
  assert.equal(record?.ready, false, 'made, not started');
  assert.equal(await serverCalls('PUT'), 1);
  assert.equal(await serverCalls('POST'), 0, 'never started');

  await r.patch('hubservers', 'notes', { spec: { displayName: 'Lecture notes' } });
  await r.settled('hubservers', 'notes', stoppedAt(2));
  assert.equal((await hub.servers.get(user, 'notes'))?.display_name, 'Lecture notes');
  assert.equal(await serverCalls('PATCH'), 1);
  // Steady: later sweeps send nothing more.
  const puts = await serverCalls('PUT');
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  assert.equal(await serverCalls('PUT'), puts, 'one PUT per generation');
  assert.equal(await serverCalls('PATCH'), 1, 'one PATCH per generation');

  await r.delete('hubservers', 'notes');
  await r.gone('hubservers', 'notes');
  await until(
    async () => (await hub.servers.get(user, 'notes')) === null,
    10_000,
    'record removed',
  );
});
