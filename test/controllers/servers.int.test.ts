// HubServer end to end: the operator process, the real kube-apiserver, and the real JupyterHub
// with its stand-in single-user server (steered through userOptions: slow or crashing spawns).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, condition, metricSum, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const tag = randomBytes(3).toString('hex');
const user = `srv-${tag}`;
let r: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'servers'));
  await r.create('hubusers', 'owner', { username: user });
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '3',
    LEASE_NAME: `srv-${tag}`,
  });
  await operator.logged('Became the leader');
});
after(async () => {
  await operator.stop('SIGKILL');
  await hub.close();
});

const phase = (want: string) => (o: CustomObject) =>
  o.status?.['phase'] === want &&
  o.status?.observedGeneration === (o.metadata as { generation?: number }).generation;

test('starts a default and a named server with user options that reach the spawner', async () => {
  await r.create('hubservers', 'default', {
    username: user,
    userOptions: { profile: 'small', cpu: 2 },
  });
  await r.create('hubservers', 'lab', { username: user, serverName: 'lab' });
  const running = await r.settled('hubservers', 'default', phase('Running'));
  assert.equal(running.status?.['url'], `/user/${user}/`);
  assert.equal(condition(running, 'Ready')?.status, 'True');
  assert.deepEqual((await hub.servers.get(user, ''))?.user_options, { profile: 'small', cpu: 2 });
  assert.equal(
    (await r.settled('hubservers', 'lab', phase('Running'))).status?.['url'],
    `/user/${user}/lab/`,
  );
});

test('state Stopped stops the server, and deleting a named server removes it', async () => {
  await r.patch('hubservers', 'lab', { spec: { state: 'Stopped' } });
  await r.settled(
    'hubservers',
    'lab',
    (o) => phase('Stopped')(o) && condition(o, 'Ready')?.status === 'True',
  );
  assert.equal((await hub.servers.get(user, 'lab'))?.ready ?? false, false);
  await r.delete('hubservers', 'lab');
  await r.gone('hubservers', 'lab');
  assert.equal(
    await hub.servers.get(user, 'lab'),
    null,
    'created by the operator: stopped and removed',
  );
});

test('a server stopped outside the operator stays stopped without keepRunning, and is restarted with it', async () => {
  await r.create('hubservers', 'once', { username: user, serverName: 'once' });
  await r.create('hubservers', 'always', {
    username: user,
    serverName: 'always',
    keepRunning: true,
  });
  await r.settled('hubservers', 'once', phase('Running'));
  await r.settled('hubservers', 'always', phase('Running'));
  await hub.servers.stop(user, 'once');
  await hub.servers.stop(user, 'always');
  const left = await r.settled(
    'hubservers',
    'once',
    (o) => condition(o, 'Ready')?.reason === 'StoppedOutsideOperator',
  );
  assert.equal(left.status?.['phase'], 'Stopped');
  await until(
    async () => (await hub.servers.get(user, 'always'))?.ready === true,
    20_000,
    'keepRunning restarts it',
  );
  assert.equal((await hub.servers.get(user, 'once'))?.ready ?? false, false, 'left alone');

  await r.patch('hubservers', 'once', { spec: { userOptions: { profile: 'large' } } });
  await r.settled('hubservers', 'once', phase('Running'));
  assert.deepEqual(
    (await hub.servers.get(user, 'once'))?.user_options,
    { profile: 'large' },
    'a spec change starts it again',
  );
});

test('a HubServer for a user that does not exist says so and waits for it', async () => {
  await r.create('hubservers', 'orphan', { username: `late-${tag}` });
  const waiting = await r.settled(
    'hubservers',
    'orphan',
    (o) => condition(o, 'Ready')?.reason === 'UserMissing',
  );
  assert.equal(waiting.status?.['phase'], 'Pending');
  await r.create('hubusers', 'late', { username: `late-${tag}` });
  await r.settled('hubservers', 'orphan', phase('Running'));
});

test('a slow spawn (past the hub 10 s wait) is followed to Running, a crashing one ends Failed', async () => {
  await r.create('hubservers', 'slow', {
    username: user,
    serverName: 'slow',
    userOptions: { stub_start_delay: 12 },
  });
  await r.create('hubservers', 'crash', {
    username: user,
    serverName: 'crash',
    userOptions: { stub_exit_code: 3 },
  });
  await r.settled('hubservers', 'slow', (o) => o.status?.['phase'] === 'Pending');
  await r.settled('hubservers', 'slow', phase('Running'), 60_000);
  const failed = await r.settled('hubservers', 'crash', phase('Failed'), 60_000);
  assert.equal(condition(failed, 'Ready')?.status, 'False');
  assert.match(
    String(failed.status?.['message']),
    /spawn failed|Internal Server Error|Spawner failed/i,
  );
});

test('100 HubServers applied at once all reach Running', async (t) => {
  const owners = Array.from({ length: 100 }, (_, i) => `many-${tag}-${i}`);
  await hub.users.createMany(owners);
  const started = Date.now();
  await Promise.all(
    owners.map((owner, i) => r.create('hubservers', `many-${i}`, { username: owner })),
  );
  await until(
    async () => {
      const running = await Promise.all(owners.map((_, i) => r.get('hubservers', `many-${i}`)));
      return running.every((o) => o?.status?.['phase'] === 'Running');
    },
    180_000,
    'all 100 Running',
  );
  const seconds = (Date.now() - started) / 1000;
  const text = await (
    await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)
  ).text();
  const throttled = metricSum(text, 'hubops_hub_requests_total', ['code="429"']);
  t.diagnostic(`100 servers Running in ${seconds.toFixed(1)} s; 429 answers met: ${throttled}`);
  await Promise.all(owners.map((owner) => hub.servers.stop(owner, '')));
});
