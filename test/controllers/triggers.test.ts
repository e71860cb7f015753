import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubGroup } from '../../src/api/hubgroup.ts';
import type { HubServer } from '../../src/api/hubserver.ts';
import type { HubToken } from '../../src/api/hubtoken.ts';
import type { SecretObject } from '../../src/kube/secrets.ts';
import type { HubUser } from '../../src/api/hubuser.ts';
import { hubGroupTriggers } from '../../src/controllers/hubgroup/triggers.ts';
import { hubServerTriggers } from '../../src/controllers/hubserver/triggers.ts';
import { HubUserIndex } from '../../src/controllers/hubuser/hubuser-index.ts';
import type { Hub } from '../../src/hub/hub.ts';
import { FakeInformer } from '../support/fake-informer.ts';
import { singleHub } from '../support/hubs.ts';
import { ManualClock } from '../support/manual-clock.ts';

const meta = (name: string, labels?: Record<string, string>) => ({
  namespace: 'team',
  name,
  ...(labels ? { labels } : {}),
});
const hubUser = (name: string, labels?: Record<string, string>): HubUser =>
  ({
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: meta(name, labels),
    spec: {},
  }) as HubUser;
const hubGroup = (name: string, spec: Record<string, unknown>): HubGroup =>
  ({ apiVersion: 'hubops.io/v1alpha1', kind: 'HubGroup', metadata: meta(name), spec }) as HubGroup;
const hubServer = (name: string, username: string): HubServer =>
  ({
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubServer',
    metadata: meta(name),
    spec: { username, serverName: '', state: 'Running' },
  }) as unknown as HubServer;

/**
 * The triggers over fake caches; `woken` lists each queue's adds as "kind key", `reselected`
 * and `forgotten` what the groups' repair memory was told ("group user", "group").
 */
function wired() {
  const woken: string[] = [];
  const reselected: string[] = [];
  const forgotten: string[] = [];
  const queue = (kind: string) => ({
    add: (key: string) => void woken.push(`${kind} ${key}`),
    addAfter: (key: string) => void woken.push(`${kind} ${key} later`),
  });
  const users = new FakeInformer<HubUser>();
  const groups = new FakeInformer<HubGroup>();
  const servers = new FakeInformer<HubServer>();
  const { hubs, unit } = singleHub({} as Hub, new ManualClock('manual'));
  const { snapshot } = unit;
  const sources = {
    informers: {
      HubUser: users,
      HubGroup: groups,
      HubServer: servers,
      HubToken: new FakeInformer<HubToken>(),
    },
    tokenSecrets: new FakeInformer<SecretObject>(),
    hubs,
    hubUsers: new HubUserIndex(users, (user) => hubs.keyOf(user)),
  };
  hubGroupTriggers(
    sources,
    { informer: groups, queue: queue('group') },
    {
      reselected: (group, user) => void reselected.push(`${group} ${user}`),
      forget: (group) => void forgotten.push(group),
    },
  );
  hubServerTriggers(sources, { informer: servers, queue: queue('server') });
  groups.emit('added', hubGroup('lists-ada', { members: ['ada'] }));
  groups.emit('added', hubGroup('lists-bob', { members: ['bob'] }));
  groups.emit('added', hubGroup('lists-both', { members: ['ada', 'bob'] }));
  groups.emit(
    'added',
    hubGroup('selects-ml', { memberSelector: { matchLabels: { course: 'ml' } } }),
  );
  groups.emit(
    'added',
    hubGroup('selects-db', { memberSelector: { matchLabels: { course: 'db' } } }),
  );
  servers.emit('added', hubServer('ada-lab', 'ada'));
  const appear = (name: string) => snapshot.recordUser({ name, admin: false });
  return { woken, reselected, forgotten, users, groups, appear };
}

test('a hub user a HubUser declares wakes the groups that list or select it and its servers', () => {
  const { woken, users, appear } = wired();
  users.emit('added', hubUser('ada', { course: 'ml' }));
  woken.length = 0;
  appear('ada');
  assert.deepEqual(woken.sort(), [
    'group team/lists-ada',
    'group team/lists-both later',
    'group team/selects-ml later',
    'server team/ada-lab',
  ]);
  woken.length = 0;
  appear('ada');
  assert.deepEqual(woken, [], 'a user the snapshot already held is no news');
});

test('a hub user no HubUser declares wakes its servers but no group', () => {
  const { woken, appear } = wired();
  appear('ada');
  assert.deepEqual(woken, ['server team/ada-lab']);
});

test('a relabelled HubUser wakes the groups that selected it before or after, no others', () => {
  const { woken, users } = wired();
  users.emit('added', hubUser('cy', { course: 'ml' }));
  assert.deepEqual(woken, ['group team/selects-ml later']);
  woken.length = 0;
  users.emit('updated', hubUser('cy', { course: 'db' }));
  assert.deepEqual(woken.sort(), ['group team/selects-db later', 'group team/selects-ml later']);
  woken.length = 0;
  users.emit('updated', hubUser('cy', { course: 'db' }));
  assert.deepEqual(woken, [], 'labels unchanged');
});

test('the last member a listing group lacked wakes it at once, the ones before after a delay', () => {
  const { woken, users, appear } = wired();
  users.emit('added', hubUser('ada'));
  users.emit('added', hubUser('bob'));
  woken.length = 0;
  appear('ada');
  appear('bob');
  assert.deepEqual(
    woken.filter((line) => line.includes('lists-both')),
    ['group team/lists-both later', 'group team/lists-both'],
  );
});

test('a HubUser that starts or stops being selected is told to the groups it joins or leaves, no other change is', () => {
  const { reselected, users, appear } = wired();
  users.emit('added', hubUser('cy', { course: 'ml' }));
  assert.deepEqual(reselected, ['team/selects-ml cy'], 'created with a selected label');
  reselected.length = 0;
  users.emit('updated', hubUser('cy', { course: 'ml', year: '2' }));
  appear('cy');
  assert.deepEqual(reselected, [], 'still selected by the same groups');
  users.emit('updated', hubUser('cy', { course: 'db' }));
  assert.deepEqual(reselected.sort(), ['team/selects-db cy', 'team/selects-ml cy']);
  reselected.length = 0;
  const leaving = hubUser('cy', { course: 'db' });
  leaving.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
  users.emit('updated', leaving);
  assert.deepEqual(reselected, ['team/selects-db cy'], 'being deleted leaves the selection');
  reselected.length = 0;
  users.emit('deleted', leaving);
  assert.deepEqual(reselected, [], 'it had left already');
  users.emit('added', hubUser('dee', { course: 'db' }));
  reselected.length = 0;
  users.emit('deleted', hubUser('dee', { course: 'db' }));
  assert.deepEqual(reselected, ['team/selects-db dee'], 'deleted at once');
});

test("a group's repair memory is forgotten when its spec changes or it is deleted, not on a status change", () => {
  const { forgotten, groups } = wired();
  forgotten.length = 0;
  const team = (generation: number, status?: HubGroup['status']): HubGroup => ({
    ...hubGroup('team', { members: ['ada'] }),
    metadata: { ...meta('team'), generation },
    ...(status ? { status } : {}),
  });
  groups.emit('added', team(1));
  forgotten.length = 0;
  groups.emit('updated', team(1, { members: 1 }));
  assert.deepEqual(forgotten, [], 'a status write');
  groups.emit('updated', team(2));
  assert.deepEqual(forgotten, ['team/team'], 'a spec change');
  groups.emit('deleted', team(2));
  assert.deepEqual(forgotten, ['team/team', 'team/team'], 'deleted');
});
