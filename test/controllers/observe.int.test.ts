// managementPolicy: Observe against the real kube-apiserver and hub: observed HubUsers, HubGroups
// and HubServers report what the hub has, follow it as it changes under them, and never write
// to it (counted by the operator's own hub-request metric); turning one to Manage adopts it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startLeader, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import {
  Resources,
  condition,
  ready,
  type CustomObject,
  hubWriteCount,
} from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const tag = randomBytes(3).toString('hex');
const { hub } = realHub(env);
const ada = `obs-ada-${tag}`;
const course = `obs-course-${tag}`;
let r: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'observe'));
  await hub.users.create(ada, { admin: true });
  await hub.groups.create(course, { users: [ada] });
  await hub.groups.setProperties(course, { term: 'autumn' });
  await hub.servers.start(ada, '');
  operator = await startLeader(env, {
    WATCH_NAMESPACE: r.namespace,
    // Observed objects follow the hub at each sweep; a short one keeps the test short.
    RESYNC_SECONDS: '2',
    LEASE_NAME: `hubops-${tag}`,
  });
});
after(async () => {
  await operator.stop('SIGKILL');
  await hub.servers.stop(ada, '').catch(() => undefined);
  await hub.users.delete(ada).catch(() => undefined);
  await hub.groups.delete(course).catch(() => undefined);
  await hub.close();
});

async function hubWrites(): Promise<number> {
  const text = await operator.metrics();
  return hubWriteCount(text);
}

function observedAs(reason: string, check: (o: CustomObject) => boolean = () => true) {
  return (o: CustomObject): boolean =>
    o.status?.observedGeneration === (o.metadata as { generation?: number }).generation &&
    condition(o, 'Ready')?.reason === reason &&
    check(o);
}

const status = (o: CustomObject): Record<string, unknown> => o.status as Record<string, unknown>;

test('observed resources report what the hub has, follow it as it changes, and write nothing to it', async (t) => {
  const observe = { managementPolicy: 'Observe' };
  // Each spec differs from the hub, so that any write would show.
  await r.create('hubusers', 'ada', { ...observe, username: ada, admin: false });
  await r.create('hubusers', 'ghost', { ...observe, username: `obs-ghost-${tag}` });
  await r.create('hubgroups', 'course', { ...observe, groupName: course, members: [] });
  await r.create('hubservers', 'ada', { ...observe, username: ada, state: 'Stopped' });

  const user = await r.settled('hubusers', 'ada', observedAs('Observed'));
  assert.equal(condition(user, 'Ready')?.status, 'True');
  assert.deepEqual(
    {
      admin: status(user)['admin'],
      groups: status(user)['groups'],
      servers: status(user)['servers'],
    },
    { admin: true, groups: [course], servers: 1 },
  );
  const ghost = await r.settled('hubusers', 'ghost', observedAs('NotInHub'));
  assert.equal(condition(ghost, 'Ready')?.status, 'False');
  assert.equal(condition(ghost, 'Synced')?.status, 'True');
  const group = await r.settled('hubgroups', 'course', observedAs('Observed'));
  assert.deepEqual(
    { members: status(group)['members'], names: status(group)['memberNames'] },
    { members: 1, names: [ada] },
  );
  assert.deepEqual(status(group)['properties'], { term: 'autumn' });
  const server = await r.settled('hubservers', 'ada', observedAs('Observed'));
  assert.equal(status(server)['phase'], 'Running');
  assert.ok(String(status(server)['url']).includes(ada), 'the running server url');
  for (const [kind, object] of Object.entries({ user, ghost, group, server }))
    assert.deepEqual(
      object.metadata.finalizers ?? [],
      [],
      `the observed ${kind} needs no finalizer`,
    );

  // The hub changes under them: each status follows within a few sweeps.
  const changedAt = Date.now();
  await hub.users.setAdmin(ada, false);
  await hub.groups.removeMembers(course, [ada]);
  await hub.servers.stop(ada, '');
  await r.settled(
    'hubusers',
    'ada',
    (o) => status(o)['admin'] === false && (status(o)['groups'] as unknown[]).length === 0,
  );
  await r.settled('hubgroups', 'course', (o) => status(o)['members'] === 0);
  await r.settled(
    'hubservers',
    'ada',
    (o) => status(o)['phase'] === 'Stopped' && status(o)['url'] === undefined,
  );
  t.diagnostic(
    `statuses followed the hub in ${((Date.now() - changedAt) / 1000).toFixed(1)} s (sweep every 2 s)`,
  );

  // Deleting them leaves the hub as it is, even where the spec says Delete.
  await r.patch('hubusers', 'ada', { spec: { deletionPolicy: 'Delete' } });
  await r.settled('hubusers', 'ada', observedAs('Observed'));
  for (const [plural, name] of [
    ['hubusers', 'ada'],
    ['hubusers', 'ghost'],
    ['hubgroups', 'course'],
    ['hubservers', 'ada'],
  ] as const) {
    await r.delete(plural, name);
    await r.gone(plural, name);
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  assert.ok(await hub.users.get(ada), 'the hub user is still there');
  assert.ok(await hub.groups.get(course), 'the hub group is still there');
  assert.equal(await hub.users.get(`obs-ghost-${tag}`), null, 'the missing user was not created');
  assert.equal(await hubWrites(), 0, 'no hub write at all');
});

test('an observed HubUser turned to Manage is adopted and then made to match its spec', async () => {
  const name = `obs-bob-${tag}`;
  await hub.users.create(name, { admin: false });
  try {
    await r.create('hubusers', 'bob', { managementPolicy: 'Observe', username: name, admin: true });
    await r.settled(
      'hubusers',
      'bob',
      observedAs('Observed', (o) => status(o)['admin'] === false),
    );
    const before = await hubWrites();
    await r.patch('hubusers', 'bob', { spec: { managementPolicy: 'Manage' } });
    const managed = await r.settled('hubusers', 'bob', ready);
    assert.equal(status(managed)['ownership'], 'Adopted');
    assert.equal(status(managed)['admin'], true);
    assert.equal(status(managed)['groups'], undefined, 'groups are reported only while observed');
    assert.ok(managed.metadata.finalizers?.includes('hubops.io/cleanup'), 'managed: finalizer on');
    assert.equal((await hub.users.get(name))?.admin, true);
    assert.equal((await hubWrites()) - before, 1, 'one write: the admin flag');
    // Adopted and deletionPolicy unset: deleting it retains the hub user.
    await r.delete('hubusers', 'bob');
    await r.gone('hubusers', 'bob');
    assert.ok(await hub.users.get(name), 'an adopted user is retained');
  } finally {
    await hub.users.delete(name).catch(() => undefined);
  }
});

test('an observed HubGroup does not wait for members whose HubUsers are observed only', async () => {
  // A managed group over an observed HubUser's name creates that member itself.
  const member = `obs-carol-${tag}`;
  const group = `obs-team-${tag}`;
  try {
    await r.create('hubusers', 'carol', { managementPolicy: 'Observe', username: member });
    await r.settled('hubusers', 'carol', observedAs('NotInHub'));
    await r.create('hubgroups', 'team', { groupName: group, members: [member] });
    await r.settled('hubgroups', 'team', ready);
    await until(
      async () => (await hub.groups.get(group))?.users.includes(member) === true,
      10_000,
      'member in the group',
    );
    await r.settled('hubusers', 'carol', observedAs('Observed'));
  } finally {
    await r.delete('hubgroups', 'team').catch(() => undefined);
    await r.delete('hubusers', 'carol').catch(() => undefined);
    await hub.groups.delete(group).catch(() => undefined);
    await hub.users.delete(member).catch(() => undefined);
  }
});
