// Servers against the real JupyterHub and its stand-in single-user server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/hub/errors.ts';
import { userSchema, type ProgressEvent } from '../../src/hub/models.ts';
import { readPage } from '../../src/hub/paginate.ts';
import { loadTestenv } from '../support/testenv.ts';
import { realHub, uniqueName } from '../support/real-hub.ts';

const env = loadTestenv();
const { hub, count, reset } = realHub(env);
const v6 = env.hubVersion.startsWith('6.');
const user = uniqueName('spawner');

before(() => hub.users.create(user));
after(async () => {
  await hub.users.delete(user);
  await hub.close();
});

function code(err: unknown): string {
  return err instanceof HubError ? err.code : `not a HubError: ${String(err)}`;
}

test('starts the default server with user options that reach the spawner, and stops it', async () => {
  assert.equal(
    await hub.servers.start(user, '', { userOptions: { profile: 'small', cpu: 1 } }),
    'ready',
  );
  const server = await hub.servers.get(user, '');
  assert.equal(server?.ready, true);
  assert.deepEqual(server?.user_options, { profile: 'small', cpu: 1 });
  assert.equal(
    await hub.servers.start(user, ''),
    'running',
    'starting a running server is not an error: it says it was running',
  );
  assert.equal(await hub.servers.stop(user, ''), 'stopped');
  assert.equal(await hub.servers.stop(user, ''), 'stopped', 'stopping a stopped server is done');
  assert.equal((await hub.servers.get(user, ''))?.ready ?? false, false);
});

test('starts a named server and removes it', async () => {
  assert.equal(await hub.servers.start(user, 'nb1', { userOptions: { image: 'scipy' } }), 'ready');
  assert.equal((await hub.servers.get(user, 'nb1'))?.url, `/user/${user}/nb1/`);
  assert.equal(await hub.servers.stop(user, 'nb1', { remove: true }), 'stopped');
  assert.equal(await hub.servers.get(user, 'nb1'), null, 'removed, not merely stopped');
});

test('follows a spawn through its progress events to ready', async () => {
  const starting = hub.servers.start(user, 'slow', { userOptions: { stub_start_delay: 2 } });
  for (let i = 0; i < 50 && (await hub.servers.get(user, 'slow'))?.pending !== 'spawn'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const events: ProgressEvent[] = [];
  for await (const event of hub.servers.progress(user, 'slow')) events.push(event);
  assert.equal(events.at(-1)?.ready, true, JSON.stringify(events));
  assert.equal(events.at(-1)?.url, `/user/${user}/slow/`);
  assert.equal(await starting, 'ready');
  await hub.servers.stop(user, 'slow', { remove: true });
});

// The fact sheet says 400 "not starting"; JupyterHub 4.1.6, 5.5.1 and 6.1.1 all answer 404.
test('asking for the progress of a server that is not starting is HUB_NOT_FOUND', async () => {
  await hub.servers.start(user, 'idle');
  await hub.servers.stop(user, 'idle');
  const err = await (async () => {
    for await (const _ of hub.servers.progress(user, 'idle')) void _;
  })().catch((e: unknown) => e);
  assert.equal(code(err), 'HUB_NOT_FOUND');
  await hub.servers.stop(user, 'idle', { remove: true });
});

test('display names need JupyterHub 6', async () => {
  const outcome = await hub.servers
    .start(user, 'shown', { displayName: 'My Dashboard' })
    .catch((e: unknown) => e);
  if (v6) {
    assert.equal(outcome, 'ready');
    assert.equal((await hub.servers.get(user, 'shown'))?.display_name, 'My Dashboard');
    await hub.servers.stop(user, 'shown', { remove: true });
  } else {
    assert.equal(code(outcome), 'HUB_UNSUPPORTED');
  }
});

test('server names follow the rule of the hub release', async () => {
  const outcome = await hub.servers.start(user, 'My.Server').catch((e: unknown) => e);
  if (v6) {
    assert.equal(code(outcome), 'HUB_INVALID');
    // The hub itself agrees: sent anyway, it answers 400 Invalid server_name.
    const sent = await hub.client
      .send({ method: 'POST', route: 'raw', path: `/users/${user}/servers/My.Server` })
      .catch((e: unknown) => e);
    assert.match(String(sent), /400 Invalid server_name/);
  } else {
    assert.equal(outcome, 'ready');
    await hub.servers.stop(user, 'My.Server', { remove: true });
  }
});

test('servers of a user that does not exist: start is HUB_NOT_FOUND, stop is done', async () => {
  const ghost = uniqueName('ghost');
  assert.equal(code(await hub.servers.start(ghost, '').catch((e: unknown) => e)), 'HUB_NOT_FOUND');
  assert.equal(await hub.servers.stop(ghost, ''), 'stopped');
  assert.equal(await hub.servers.get(ghost, ''), null);
});

test('reads after a storm of starts give each user its ready server, and the hub filters the ready list', async () => {
  const many = Array.from({ length: 6 }, (_, i) => uniqueName(`storm${i}`));
  await hub.users.createMany(many);
  try {
    await Promise.all(many.map((name) => hub.servers.start(name, '')));
    const users = await Promise.all(many.map((name) => hub.servers.userAfterStart(name)));
    for (const [i, name] of many.entries()) {
      assert.equal(users[i]?.name, name);
      assert.equal(users[i]?.servers?.['']?.ready, true, `${name} has its server, ready`);
      assert.equal(users[i]?.servers?.['']?.url, `/user/${name}/`);
    }
    const ready = await readPage(
      hub.client,
      { route: '/users', path: '/users', query: { state: 'ready' } },
      userSchema,
      0,
    );
    const listed = ready.items.map((u) => u.name);
    for (const name of many) assert.ok(listed.includes(name), `${name} is in the ready list`);
    assert.ok(!listed.includes(user), 'a user without a running server is not: the hub filters');
  } finally {
    await Promise.all(many.map((name) => hub.users.delete(name)));
  }
});

/** A stopped named server's record: created stopped on 6.x; started and stopped before 6.0. */
async function stoppedRecord(server: string): Promise<void> {
  if (v6) assert.equal(await hub.servers.createStopped(user, server), 'created');
  else {
    await hub.servers.start(user, server);
    assert.equal(await hub.servers.stop(user, server), 'stopped');
  }
}

test('a stopped named server shows in a user read with stopped servers, but not in a plain read or the user list', async () => {
  await stoppedRecord('kept');
  try {
    assert.equal((await hub.servers.get(user, 'kept'))?.stopped, true);
    assert.equal((await hub.users.get(user))?.servers?.['kept'], undefined);
    assert.equal((await hub.users.list()).get(user)?.servers?.['kept'], undefined);
  } finally {
    await hub.servers.stop(user, 'kept', { remove: true });
  }
});

test('creates a stopped server record with its display name and options, once', async () => {
  reset();
  const outcome = await hub.servers
    .createStopped(user, 'rec', { displayName: 'Record', userOptions: { image: 'scipy' } })
    .catch((e: unknown) => e);
  if (!v6) {
    assert.equal(code(outcome), 'HUB_UNSUPPORTED');
    assert.equal(count('PUT', '/users/{name}/servers/{server}'), 0, 'not sent');
    return;
  }
  assert.equal(outcome, 'created');
  try {
    const server = await hub.servers.get(user, 'rec');
    assert.deepEqual(
      [server?.stopped, server?.display_name, server?.user_options],
      [true, 'Record', { image: 'scipy' }],
    );
    assert.equal(await hub.servers.createStopped(user, 'rec'), 'exists');
    assert.equal(await hub.servers.createStopped(user, ''), 'exists', 'the default always is');
    const bad = await hub.servers.createStopped(user, 'Bad.Name').catch((e: unknown) => e);
    assert.match(String(bad), /not sent/);
    const ghost = uniqueName('ghost');
    assert.equal(
      code(await hub.servers.createStopped(ghost, 'rec').catch((e: unknown) => e)),
      'HUB_NOT_FOUND',
    );
  } finally {
    await hub.servers.stop(user, 'rec', { remove: true });
  }
});

test('edits a stopped record, and answers HUB_PENDING while the server is active', async () => {
  reset();
  if (!v6) {
    const outcome = await hub.servers
      .updateRecord(user, 'rec', { displayName: 'x' })
      .catch((e: unknown) => e);
    assert.equal(code(outcome), 'HUB_UNSUPPORTED');
    assert.equal(count('PATCH', '/users/{name}/servers/{server}'), 0, 'not sent');
    return;
  }
  await stoppedRecord('edit');
  try {
    const edited = await hub.servers.updateRecord(user, 'edit', {
      displayName: 'Edited',
      userOptions: { cpu: 2 },
    });
    assert.deepEqual([edited.display_name, edited.user_options], ['Edited', { cpu: 2 }]);
    const optionsOnly = await hub.servers.updateRecord(user, 'edit', { userOptions: {} });
    assert.deepEqual([optionsOnly.display_name, optionsOnly.user_options], ['Edited', {}]);
    assert.equal(await hub.servers.start(user, 'edit'), 'ready');
    const active = await hub.servers
      .updateRecord(user, 'edit', { displayName: 'Busy' })
      .catch((e: unknown) => e);
    assert.equal(code(active), 'HUB_PENDING');
    assert.match(String(active), /is active/);
    await hub.servers.stop(user, 'edit');
    assert.equal(
      (await hub.servers.updateRecord(user, 'edit', { displayName: 'Done' })).display_name,
      'Done',
    );
    const missing = await hub.servers
      .updateRecord(user, 'nope', { displayName: 'x' })
      .catch((e: unknown) => e);
    assert.equal(code(missing), 'HUB_NOT_FOUND');
    // Why the client sends no other key: 6.1.1 answers one it does not know with 500.
    const unknownKey = await hub.client
      .send({
        method: 'PATCH',
        route: 'raw',
        path: `/users/${user}/servers/edit`,
        body: { shape: 'round' },
        maxAttempts: 1,
      })
      .catch((e: unknown) => e);
    assert.equal(unknownKey instanceof HubError ? unknownKey.status : unknownKey, 500);
  } finally {
    await hub.servers.stop(user, 'edit', { remove: true });
  }
});
