// Users against the real JupyterHub (the release the test environment runs).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/hub/errors.ts';
import { loadTestenv } from '../support/testenv.ts';
import { realHub, uniqueName } from '../support/real-hub.ts';

const env = loadTestenv();
const { hub, count, reset } = realHub(env);
after(() => hub.close());

function code(err: unknown): string {
  return err instanceof HubError ? err.code : `not a HubError: ${String(err)}`;
}

test('reads the version without a token and derives the features', async () => {
  assert.equal(await hub.version(), env.hubVersion);
  const features = await hub.features();
  assert.equal(features.serverApiV6, env.hubVersion.startsWith('6.'));
  assert.equal(features.groupProperties, true);
});

test('the token belongs to the hubops service, an admin with the scopes it needs', async () => {
  const owner = await hub.tokenOwner();
  assert.deepEqual([owner.kind, owner.name, owner.admin], ['service', 'hubops', true]);
  for (const scope of ['admin:users', 'admin:groups', 'admin:servers', 'read:hub']) {
    assert.ok(owner.scopes.includes(scope), scope);
  }
  assert.equal((await hub.info()).version, env.hubVersion);
});

test('creates a user, flips its admin flag both ways, and deletes it', async () => {
  const name = uniqueName('u');
  assert.equal((await hub.users.create(name)).admin, false);
  assert.equal((await hub.users.setAdmin(name, true)).admin, true);
  assert.equal((await hub.users.get(name))?.admin, true);
  assert.equal((await hub.users.setAdmin(name, false)).admin, false);
  await hub.users.delete(name);
  assert.equal(await hub.users.get(name), null);
  await hub.users.delete(name); // already gone: still done
});

test('names with @, dot and plus round-trip through the path', async () => {
  const name = `${uniqueName('ada')}.l+test@example.org`;
  assert.equal((await hub.users.create(name, { admin: true })).name, name);
  assert.equal((await hub.users.get(name))?.admin, true);
  await hub.users.delete(name);
  assert.equal(await hub.users.get(name), null);
});

test('a second create of the same user is HUB_CONFLICT', async () => {
  const name = uniqueName('dup');
  await hub.users.create(name);
  assert.equal(code(await hub.users.create(name).catch((e: unknown) => e)), 'HUB_CONFLICT');
  await hub.users.delete(name);
});

test('an uppercase or slashed name is refused before anything is sent', async () => {
  reset();
  assert.equal(code(await hub.users.create('Alice').catch((e: unknown) => e)), 'HUB_INVALID');
  assert.equal(
    code(await hub.users.createMany(['ok-name', 'a/b']).catch((e: unknown) => e)),
    'HUB_INVALID',
  );
  assert.equal(count('POST', '/users/{name}') + count('POST', '/users'), 0);
});

test('bulk creation of 450 users costs 18 calls, and listing them pages past 200', async () => {
  const prefix = uniqueName('bulk');
  const names = Array.from({ length: 450 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  reset();
  const created = await hub.users.createMany(names);
  assert.equal(created.length, 450);
  assert.equal(count('POST', '/users'), 18, 'batches of 25');

  const again = await hub.users.createMany([...names.slice(0, 30), `${prefix}-new`]);
  assert.deepEqual(
    again.map((u) => u.name),
    [`${prefix}-new`],
    'existing names are skipped, the batch of only-existing ones is a no-op',
  );

  reset();
  const all = await hub.users.list();
  for (const name of names) assert.ok(all.has(name), name);
  assert.equal(count('GET', '/users'), Math.ceil(all.size / 200) + (all.size % 200 === 0 ? 1 : 0));
  reset();
  await Promise.all([...names, `${prefix}-new`].map((name) => hub.users.delete(name)));
  assert.equal(
    count('DELETE', '/users/{name}'),
    451,
    'a user without servers costs one call to delete',
  );
  assert.equal(count('GET', '/users/{name}'), 0);
});

test('deleting a user stops its default and named servers first', async () => {
  const name = uniqueName('srv');
  await hub.users.create(name);
  assert.equal(await hub.servers.start(name, ''), 'ready');
  assert.equal(await hub.servers.start(name, 'nb1'), 'ready');
  await hub.users.delete(name);
  assert.equal(await hub.users.get(name), null);
});

test('an unknown user reads as null, and a wrong token is HUB_UNAUTHORIZED', async () => {
  assert.equal(await hub.users.get(uniqueName('nobody')), null);
  const stranger = realHub({ ...env, hubApiToken: 'not-the-token' }).hub;
  assert.equal(code(await stranger.users.list().catch((e: unknown) => e)), 'HUB_UNAUTHORIZED');
  await stranger.close();
});
