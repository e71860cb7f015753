// Groups against the real JupyterHub.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/hub/errors.ts';
import { loadTestenv } from '../support/testenv.ts';
import { realHub, uniqueName } from '../support/real-hub.ts';

const env = loadTestenv();
const { hub, count, reset } = realHub(env);
const prefix = uniqueName('gm');
const members = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);

before(() => hub.users.createMany(members));
after(async () => {
  await Promise.all(members.map((name) => hub.users.delete(name)));
  await hub.close();
});

function code(err: unknown): string {
  return err instanceof HubError ? err.code : `not a HubError: ${String(err)}`;
}

test('creates a group with members, changes them in one call each way, and deletes it', async () => {
  const name = uniqueName('grp');
  assert.deepEqual(
    (await hub.groups.create(name, { users: members.slice(0, 2) })).users.sort(),
    members.slice(0, 2),
  );
  reset();
  const added = await hub.groups.addMembers(name, members.slice(1, 5));
  assert.deepEqual(
    added?.users.sort(),
    members.slice(0, 5),
    'adding an existing member is a no-op',
  );
  const removed = await hub.groups.removeMembers(name, [members[0]!]);
  assert.deepEqual(removed?.users.sort(), members.slice(1, 5));
  assert.equal(count('POST', '/groups/{name}/users') + count('DELETE', '/groups/{name}/users'), 2);
  await hub.groups.removeMembers(name, [members[0]!]); // no longer a member: a no-op
  // Unlike a non-member, a user the hub does not know fails the call (the fact sheet says no-op).
  const unknown = await hub.groups
    .removeMembers(name, [`${prefix}-ghost`])
    .catch((e: unknown) => e);
  assert.match(String(unknown), /400 No such user/);
  assert.deepEqual((await hub.groups.get(name))?.users.sort(), members.slice(1, 5));
  await hub.groups.delete(name);
  assert.equal(await hub.groups.get(name), null);
  await hub.groups.delete(name); // the hub answers 404 now: still done
});

test('adding a member the hub does not know fails the whole call and adds no one', async () => {
  const name = uniqueName('grp');
  await hub.groups.create(name);
  const err = await hub.groups
    .addMembers(name, [members[0]!, `${prefix}-ghost`])
    .catch((e: unknown) => e);
  assert.equal(code(err), 'HUB_INVALID');
  assert.match(String(err), /No such user/);
  assert.deepEqual((await hub.groups.get(name))?.users, []);
  await hub.groups.delete(name);
});

test('properties are replaced as a whole', async () => {
  const name = uniqueName('grp');
  await hub.groups.create(name);
  await hub.groups.setProperties(name, { course: 'physics', seats: 30 });
  assert.deepEqual((await hub.groups.setProperties(name, { course: 'maths' })).properties, {
    course: 'maths',
  });
  assert.deepEqual((await hub.groups.get(name))?.properties, { course: 'maths' });
  await hub.groups.delete(name);
});

test('a second create of the same group is HUB_CONFLICT, and a slash is refused before sending', async () => {
  const name = uniqueName('grp');
  await hub.groups.create(name);
  assert.equal(code(await hub.groups.create(name).catch((e: unknown) => e)), 'HUB_CONFLICT');
  assert.equal(code(await hub.groups.create('a/b').catch((e: unknown) => e)), 'HUB_INVALID');
  await hub.groups.delete(name);
});

test('listing 210 groups pages past 200', async () => {
  const names = Array.from({ length: 210 }, (_, i) => `${prefix}-g${String(i).padStart(3, '0')}`);
  await Promise.all(names.map((name) => hub.groups.create(name)));
  reset();
  const all = await hub.groups.list();
  for (const name of names) assert.ok(all.has(name), name);
  assert.ok(count('GET', '/groups') >= 2);
  await Promise.all(names.map((name) => hub.groups.delete(name)));
});
