// HubUser and HubGroup end to end: the operator process, the real kube-apiserver and the real
// JupyterHub of the test environment. Resync is 3 s so that drift repair is quick to observe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, condition, metricSum, ready, hubWriteCount } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const tag = randomBytes(3).toString('hex');
const n = (name: string): string => `${name}-${tag}`;
let r: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'users'));
  operator = startOperator(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '3',
    LEASE_NAME: n('hubops'),
  });
  await operator.logged('Became the leader');
});
after(async () => {
  await operator.stop('SIGKILL');
  await hub.close();
});

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${await operator.metricsPort()}/metrics`)).text();
}

/**
 * Metrics read between two sweeps (no hub read for 400 ms), so that a window from one such read
 * to another holds whole sweeps only: a slow hub's sweep may otherwise straddle its start.
 */
async function between(): Promise<string> {
  const gets = (text: string): number =>
    metricSum(text, 'hubops_hub_requests_total', ['method="GET"']);
  let last = await metrics();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    const now = await metrics();
    if (gets(now) === gets(last)) return now;
    last = now;
  }
}

async function hubWrites(): Promise<number> {
  return hubWriteCount(await metrics());
}

test('a HubUser creates its hub user, follows admin changes, and deleting it removes the user', async () => {
  const name = n('ada');
  await r.create('hubusers', 'ada', { username: `${name}@example.org`, admin: true });
  const created = await r.settled('hubusers', 'ada', ready);
  assert.deepEqual(
    [created.status?.['ownership'], created.status?.['admin'], condition(created, 'Ready')?.reason],
    ['Created', true, 'Created'],
  );
  assert.equal((await hub.users.get(`${name}@example.org`))?.admin, true);

  await r.patch('hubusers', 'ada', { spec: { admin: false } });
  await r.settled('hubusers', 'ada', (o) => ready(o) && o.status?.['admin'] === false);
  assert.equal((await hub.users.get(`${name}@example.org`))?.admin, false);

  await r.delete('hubusers', 'ada');
  await r.gone('hubusers', 'ada');
  assert.equal(
    await hub.users.get(`${name}@example.org`),
    null,
    'created by the operator, so deleted with its resource',
  );
});

test('an existing hub user is adopted and kept when its HubUser is deleted; Retain keeps a created one', async () => {
  await hub.users.create(n('grace'));
  await r.create('hubusers', 'grace', { username: n('grace') });
  const adopted = await r.settled('hubusers', 'grace', ready);
  assert.equal(adopted.status?.['ownership'], 'Adopted');
  await r.create('hubusers', 'kept', { username: n('kept'), deletionPolicy: 'Retain' });
  await r.settled('hubusers', 'kept', ready);

  await r.delete('hubusers', 'grace');
  await r.delete('hubusers', 'kept');
  await r.gone('hubusers', 'grace');
  await r.gone('hubusers', 'kept');
  assert.ok(await hub.users.get(n('grace')), 'adopted: retained');
  assert.ok(await hub.users.get(n('kept')), 'Retain: retained');
});

test('the pause annotation stops hub writes and says so; removing it applies the spec', async () => {
  await r.create('hubusers', 'paused', { username: n('paused') });
  await r.settled('hubusers', 'paused', ready);
  await r.patch('hubusers', 'paused', {
    metadata: { annotations: { 'hubops.io/paused': 'true' } },
    spec: { admin: true },
  });
  const held = await r.settled(
    'hubusers',
    'paused',
    (o) => condition(o, 'Synced')?.reason === 'Paused' && condition(o, 'Ready')?.status === 'False',
  );
  assert.match(condition(held, 'Ready')?.message ?? '', /granted admin/);
  assert.equal((await hub.users.get(n('paused')))?.admin, false);

  await r.patch('hubusers', 'paused', { metadata: { annotations: { 'hubops.io/paused': null } } });
  await r.settled(
    'hubusers',
    'paused',
    (o) => ready(o) && condition(o, 'Synced')?.status === 'True',
  );
  assert.equal((await hub.users.get(n('paused')))?.admin, true);
});

test('drift made by hand is repaired at the next sweep: admin flag, deleted user, group members', async () => {
  await r.create('hubusers', 'drift', { username: n('drift') });
  await r.create('hubgroups', 'exact', {
    groupName: n('exact'),
    members: [n('drift'), n('plain')],
  });
  await r.settled('hubgroups', 'exact', ready);
  await hub.users.setAdmin(n('drift'), true);
  await hub.users.create(n('intruder'));
  await hub.groups.addMembers(n('exact'), [n('intruder')]);
  await hub.groups.removeMembers(n('exact'), [n('plain')]);
  await hub.users.delete(n('plain'));

  await until(
    async () => (await hub.users.get(n('drift')))?.admin === false,
    15_000,
    'admin flag repaired',
  );
  await until(
    async () => {
      const members = (await hub.groups.get(n('exact')))?.users.sort();
      return JSON.stringify(members) === JSON.stringify([n('drift'), n('plain')].sort());
    },
    15_000,
    'members repaired, the deleted member re-created',
  );
});

test('selector membership follows HubUser labels; Additive keeps members added by hand', async () => {
  for (const who of ['sel1', 'sel2'])
    await r.create('hubusers', who, { username: n(who) }, { labels: { cohort: tag } });
  await r.create('hubgroups', 'cohort', {
    groupName: n('cohort'),
    memberSelector: { matchLabels: { cohort: tag } },
    membershipPolicy: 'Additive',
  });
  await until(
    async () => (await hub.groups.get(n('cohort')))?.users.length === 2,
    15_000,
    'both selected users in the group',
  );
  await hub.users.create(n('guest'));
  await hub.groups.addMembers(n('cohort'), [n('guest')]);
  await r.patch('hubusers', 'sel2', { metadata: { labels: { cohort: 'other' } } });
  await r.create('hubusers', 'sel3', { username: n('sel3') }, { labels: { cohort: tag } });
  await until(
    async () => (await hub.groups.get(n('cohort')))?.users.includes(n('sel3')) ?? false,
    15_000,
    'a newly labelled user joins',
  );
  const members = (await hub.groups.get(n('cohort')))?.users ?? [];
  assert.ok(members.includes(n('guest')), 'Additive: the hand-added member stays');
  assert.ok(members.includes(n('sel2')), 'Additive: a user who left the selector is not removed');

  await r.patch('hubgroups', 'cohort', { spec: { membershipPolicy: 'Exact' } });
  await until(
    async () => {
      const now = (await hub.groups.get(n('cohort')))?.users.sort() ?? [];
      return JSON.stringify(now) === JSON.stringify([n('sel1'), n('sel3')].sort());
    },
    15_000,
    'Exact: only the selected users remain',
  );
  assert.ok(await hub.users.get(n('guest')), 'a removed member is not deleted from the hub');
});

test('a new group whose members all wait for their HubUsers is created later, with them, in one call', async () => {
  const names = [n('cohort-a'), n('cohort-b')];
  const paused = { annotations: { 'hubops.io/paused': 'true' } };
  await r.create('hubusers', 'cohort-a', { username: names[0] }, paused);
  await r.create('hubusers', 'cohort-b', { username: names[1] }, paused);
  const posts = async (route: string): Promise<number> =>
    metricSum(await metrics(), 'hubops_hub_requests_total', ['method="POST"', `route="${route}"`]);
  const before = {
    creates: await posts('/groups/{name}'),
    adds: await posts('/groups/{name}/users'),
  };
  await r.create('hubgroups', 'later', { groupName: n('later'), members: names });
  const waiting = await r.settled(
    'hubgroups',
    'later',
    (o) => condition(o, 'Ready')?.reason === 'MembersPending',
  );
  assert.equal(waiting.status?.['ownership'], undefined, 'nothing of it exists yet');
  assert.equal(await hub.groups.get(n('later')), null);

  await Promise.all(
    ['cohort-a', 'cohort-b'].map((name) =>
      r.patch('hubusers', name, { metadata: { annotations: { 'hubops.io/paused': null } } }),
    ),
  );
  const group = await r.settled('hubgroups', 'later', ready);
  assert.equal(group.status?.['ownership'], 'Created');
  assert.deepEqual((await hub.groups.get(n('later')))?.users.sort(), [...names].sort());
  assert.deepEqual(
    { creates: await posts('/groups/{name}'), adds: await posts('/groups/{name}/users') },
    { creates: before.creates + 1, adds: before.adds },
  );
});

test('group properties are set and replaced when they differ', async () => {
  await r.create('hubgroups', 'props', {
    groupName: n('props'),
    properties: { course: 'physics', seats: 30 },
  });
  await r.settled('hubgroups', 'props', ready);
  assert.deepEqual((await hub.groups.get(n('props')))?.properties, {
    course: 'physics',
    seats: 30,
  });
  await r.patch('hubgroups', 'props', { spec: { properties: { course: 'maths', seats: null } } });
  await until(
    async () =>
      JSON.stringify((await hub.groups.get(n('props')))?.properties) === '{"course":"maths"}',
    15_000,
    'properties replaced',
  );
});

test('two HubUsers claiming one hub name: the older wins, the other reports Conflict and stays quiet', async () => {
  await r.create('hubusers', 'first', { username: n('shared') });
  await r.settled('hubusers', 'first', ready);
  await r.create('hubusers', 'second', { username: n('shared'), admin: true });
  const loser = await r.settled(
    'hubusers',
    'second',
    (o) => condition(o, 'Synced')?.reason === 'Conflict',
  );
  assert.match(condition(loser, 'Ready')?.message ?? '', new RegExp(`${r.namespace}/first`));
  await new Promise((resolve) => setTimeout(resolve, 7_000)); // two resyncs
  assert.equal(
    (await r.get('hubusers', 'second'))?.metadata.resourceVersion,
    loser.metadata.resourceVersion,
    'no flapping',
  );
  assert.equal((await hub.users.get(n('shared')))?.admin, false, 'the loser wrote nothing');

  await r.delete('hubusers', 'first');
  await r.settled('hubusers', 'second', ready);
  assert.equal((await hub.users.get(n('shared')))?.admin, true, 'the next claim takes over');
});

test('an idle resync costs one sweep and no hub write', async (t) => {
  await r.settled('hubusers', 'sel1', ready);
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const before = await between();
  const writes = await hubWrites();
  await new Promise((resolve) => setTimeout(resolve, 6_500));
  const after = await between();
  const sweeps =
    metricSum(after, 'hubops_hub_requests_total', ['route="/groups"', 'method="GET"']) -
    metricSum(before, 'hubops_hub_requests_total', ['route="/groups"', 'method="GET"']);
  const reads =
    metricSum(after, 'hubops_hub_requests_total', ['method="GET"']) -
    metricSum(before, 'hubops_hub_requests_total', ['method="GET"']);
  const users = (await hub.users.list()).size;
  t.diagnostic(
    `idle: ${reads} hub reads in 6.5 s (${sweeps} sweeps over ${users} users), ${(await hubWrites()) - writes} writes`,
  );
  assert.equal(await hubWrites(), writes);
  assert.ok(sweeps >= 1 && sweeps <= 3, `sweeps: ${sweeps}`);
  assert.equal(
    reads,
    sweeps * (Math.ceil(users / 200) + 1),
    'each sweep reads ceil(users/200) user pages and one group page',
  );
});

test('a wrong token is reported once as Unauthorized and crashes nothing', async () => {
  const namespace = await freshNamespace(kc, 'token');
  const other = new Resources(kc, namespace);
  const wrong = startOperator(env, {
    WATCH_NAMESPACE: namespace,
    HUB_API_TOKEN: 'not-the-token',
    LEASE_NAME: n('wrong'),
    RESYNC_SECONDS: '2',
  });
  try {
    await other.create('hubusers', 'nobody', { username: n('nobody') });
    const refused = await other.settled(
      'hubusers',
      'nobody',
      (o) => condition(o, 'Synced')?.reason === 'Unauthorized',
    );
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.equal(
      (await other.get('hubusers', 'nobody'))?.metadata.resourceVersion,
      refused.metadata.resourceVersion,
      'said once',
    );
    assert.equal(wrong.child.exitCode, null, 'still running');
    assert.ok(!JSON.stringify(refused.status).includes('not-the-token'));
  } finally {
    await wrong.stop('SIGKILL');
  }
});
