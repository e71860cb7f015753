// Shares against the real JupyterHub: 5.0+ grants and revokes them; before 5.0 the client refuses
// without asking.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/hub/errors.ts';
import type { Hub } from '../../src/hub/hub.ts';
import { shareSchema } from '../../src/hub/models.ts';
import { storedShareScopes } from '../../src/hub/shares.ts';
import { logInThroughForm, type LoginSession } from '../support/hub-login.ts';
import { loadTestenv } from '../support/testenv.ts';
import { realHub, uniqueName } from '../support/real-hub.ts';

const env = loadTestenv();
const { hub, samples, count, reset } = realHub(env);
const sharing = Number(env.hubVersion.split('.')[0]) >= 5;
const v6 = env.hubVersion.startsWith('6.');
const owner = uniqueName('owner');
const bob = uniqueName('bob');
const carol = uniqueName('carol');
const team = uniqueName('team');

before(async () => {
  await hub.users.createMany([owner, bob, carol]);
  await hub.groups.create(team, { users: [carol] });
});
after(async () => {
  await hub.servers.stop(owner, '');
  await Promise.all([owner, bob, carol].map((name) => hub.users.delete(name)));
  await hub.groups.delete(team);
  await hub.close();
});

function code(err: unknown): string {
  return err instanceof HubError ? err.code : `not a HubError: ${String(err)}`;
}

/** A record for a named server without running it: created stopped on 6.x, started and stopped before. */
async function namedServer(name: string): Promise<void> {
  if (v6) {
    assert.equal(await hub.servers.createStopped(owner, name), 'created');
  } else {
    await hub.servers.start(owner, name);
    await hub.servers.stop(owner, name);
  }
}

/** A Hub client with a fresh token of `user`, and its revocation. */
async function clientOf(user: string): Promise<{ as: Hub; done: () => Promise<void> }> {
  const issued = await hub.tokens.issue(user, { note: 'shares test' });
  const { hub: as } = realHub(env, { token: issued.token });
  return {
    as,
    done: async () => {
      await as.close();
      await hub.tokens.revoke(user, issued.id);
    },
  };
}

/** Whether `as` may follow the progress of the owner's running default server. */
async function readsOwnersServer(as: Hub): Promise<boolean | string> {
  try {
    for await (const event of as.servers.progress(owner, '')) if (event.ready) return true;
    return 'the stream ended without a ready event';
  } catch (err) {
    // The hub hides what a token may not read: 404 "No access to resources or resources not found".
    if (code(err) === 'HUB_NOT_FOUND') return false;
    throw err;
  }
}

/** Whether a login session may follow the progress of the owner's running default server. */
async function sessionReadsOwnersServer(session: LoginSession): Promise<boolean> {
  const res = await fetch(`${env.hubApiUrl}/users/${owner}/server/progress`, {
    headers: { ...session },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status === 404) return false;
  assert.equal(res.status, 200, text);
  return /"ready": true/.test(text);
}

if (!sharing) {
  test('before JupyterHub 5.0 every share call is HUB_UNSUPPORTED, without a request', async () => {
    reset();
    const target = { user: bob };
    for (const call of [
      hub.shares.list(owner),
      hub.shares.grant(owner, '', target),
      hub.shares.revokeScopes(owner, '', target),
      hub.shares.revokeAll(owner, ''),
    ]) {
      const err = await call.catch((e: unknown) => e);
      assert.equal(code(err), 'HUB_UNSUPPORTED');
      assert.match(String(err), new RegExp(`this hub is ${env.hubVersion.replaceAll('.', '\\.')}`));
    }
    assert.equal(
      samples.filter((s) => s.route.startsWith('/shares')).length,
      0,
      'no share route was asked',
    );
  });
} else {
  test('a grant merges scopes into the share, PATCH narrows it and DELETE revokes every share', async () => {
    const target = { user: bob };
    const first = await hub.shares.grant(owner, '', target);
    assert.deepEqual(first, {
      owner,
      server: '',
      target,
      scopes: [`access:servers!server=${owner}/`],
    });
    const merged = await hub.shares.grant(owner, '', target, ['read:servers']);
    assert.deepEqual(
      merged.scopes,
      storedShareScopes(owner, '', ['access:servers', 'read:servers']),
    );
    assert.deepEqual(await hub.shares.grant(owner, '', target, ['read:servers']), merged);
    assert.deepEqual(await hub.shares.list(owner), [merged]);

    const narrowed = await hub.shares.revokeScopes(owner, '', target, ['access:servers']);
    assert.deepEqual(narrowed?.scopes, [`read:servers!server=${owner}/`]);
    await hub.shares.grant(owner, '', { group: team });
    assert.equal((await hub.shares.list(owner)).length, 2);

    await hub.shares.revokeAll(owner, '');
    assert.deepEqual(await hub.shares.list(owner), []);
    await hub.shares.revokeAll(owner, ''); // nothing left: still done
  });

  test('a group share of a named server lists with the group as its target', async () => {
    await namedServer('lab');
    const share = await hub.shares.grant(owner, 'lab', { group: team }, ['read:servers']);
    assert.deepEqual(share, {
      owner,
      server: 'lab',
      target: { group: team },
      scopes: [`read:servers!server=${owner}/lab`],
    });
    assert.deepEqual(await hub.shares.list(owner), [share]);
    assert.equal(await hub.shares.revokeScopes(owner, 'lab', { group: team }), null);
    assert.deepEqual(await hub.shares.list(owner), []);
    await hub.servers.stop(owner, 'lab', { remove: true });
  });

  test('the hub stores each scope filtered to the server, as storedShareScopes says', async () => {
    const asked = ['read:servers', `access:servers!server=${owner}/`, 'servers', 'read:users'];
    const share = await hub.shares.grant(owner, '', { user: bob }, asked);
    assert.deepEqual(share.scopes, storedShareScopes(owner, '', asked));
    assert.deepEqual(share.scopes, [
      `access:servers!server=${owner}/`,
      `read:servers!server=${owner}/`,
      `read:users!server=${owner}/`,
      `servers!server=${owner}/`,
    ]);
    // Revoking by the name alone matches nothing: the hub compares the filtered strings, so the
    // client sends them filtered.
    const raw = await hub.client.json(
      {
        method: 'PATCH',
        route: 'raw',
        path: `/shares/${owner}/`,
        body: { user: bob, scopes: ['servers'] },
      },
      shareSchema,
    );
    assert.deepEqual(raw.data.scopes, share.scopes, 'an unfiltered revoke changes nothing');
    const left = await hub.shares.revokeScopes(owner, '', { user: bob }, ['servers']);
    assert.ok(!left?.scopes.includes(`servers!server=${owner}/`));
    await hub.shares.revokeAll(owner, '');
  });

  test('a share of a server or owner that does not exist is HUB_NOT_FOUND; an unknown target is HUB_INVALID', async () => {
    const ghost = uniqueName('ghost');
    assert.equal(
      code(await hub.shares.grant(owner, 'nope', { user: bob }).catch((e: unknown) => e)),
      'HUB_NOT_FOUND',
    );
    assert.equal(
      code(await hub.shares.grant(ghost, '', { user: bob }).catch((e: unknown) => e)),
      'HUB_NOT_FOUND',
    );
    const noUser = await hub.shares.grant(owner, '', { user: ghost }).catch((e: unknown) => e);
    assert.equal(code(noUser), 'HUB_INVALID');
    assert.match(String(noUser), /400 No such user/);
    const noGroup = await hub.shares.grant(owner, '', { group: ghost }).catch((e: unknown) => e);
    assert.equal(code(noGroup), 'HUB_INVALID');
    assert.match(String(noGroup), /400 No such group/);
    // Nothing to revoke where there is no server, owner or target: no share is left.
    assert.equal(await hub.shares.revokeScopes(owner, 'nope', { user: bob }), null);
    assert.equal(await hub.shares.revokeScopes(owner, '', { user: ghost }), null);
    await hub.shares.revokeAll(owner, 'nope');
    assert.deepEqual(await hub.shares.list(ghost), [], 'the hub answers 404: no owner, no shares');
  });

  test('the hub refuses another server’s filter with 400 and an unknown scope with 500, so the client checks both first', async () => {
    const send = (scopes: string[]) =>
      hub.client
        .send({
          method: 'POST',
          route: 'raw',
          path: `/shares/${owner}/`,
          body: { user: bob, scopes },
          maxAttempts: 1,
        })
        .catch((e: unknown) => e);
    assert.match(String(await send([`read:servers!server=${bob}/`])), /400 !server=.* not allowed/);
    const unknown = await send(['nope:servers']);
    assert.equal(unknown instanceof HubError ? unknown.status : unknown, 500);
    for (const scopes of [[`read:servers!server=${bob}/`], ['nope:servers']]) {
      const refused = await hub.shares
        .grant(owner, '', { user: bob }, scopes)
        .catch((e: unknown) => e);
      assert.equal(code(refused), 'HUB_INVALID');
      assert.match(String(refused), /not sent/);
    }
  });

  test('an owner with more shares than a page lists them all', async () => {
    const targets = Array.from({ length: 5 }, (_, i) => `${bob}-${i}`);
    await hub.users.createMany(targets);
    try {
      for (const user of targets) await hub.shares.grant(owner, '', { user });
      reset();
      const shares = await hub.shares.list(owner, { pageSize: 2 });
      assert.deepEqual(
        shares.map((s) => ('user' in s.target ? s.target.user : '')).sort(),
        targets,
      );
      assert.equal(count('GET', '/shares/{owner}'), 3, 'three pages of two');
    } finally {
      await hub.shares.revokeAll(owner, '');
      await Promise.all(targets.map((name) => hub.users.delete(name)));
    }
  });

  test('a user share lets the user’s token read the server, and the revoke takes that back', async () => {
    assert.equal(await hub.servers.start(owner, ''), 'ready');
    const asBob = await clientOf(bob);
    try {
      assert.equal(await readsOwnersServer(asBob.as), false, 'before the grant');
      await hub.shares.grant(owner, '', { user: bob });
      // access:servers reaches the token (it opens the server itself, not a REST call)...
      assert.ok(
        (await asBob.as.tokenOwner()).scopes.includes(`access:servers!server=${owner}/`),
        'the default grant is among the token’s scopes',
      );
      assert.equal(await readsOwnersServer(asBob.as), false, '...but does not read the server');
      await hub.shares.grant(owner, '', { user: bob }, ['read:servers']);
      assert.equal(await readsOwnersServer(asBob.as), true, 'read:servers does');
      await hub.shares.revokeScopes(owner, '', { user: bob }, ['read:servers']);
      assert.equal(await readsOwnersServer(asBob.as), false, 'after the revoke');
    } finally {
      await asBob.done();
      await hub.shares.revokeAll(owner, '');
      await hub.servers.stop(owner, '');
    }
  });

  // The hub adds to a token's scopes the shares of its user, not those of the user's groups;
  // a login session gets both.
  test('a group share reaches its members’ login sessions, not their API tokens', async () => {
    assert.equal(await hub.servers.start(owner, ''), 'ready');
    const asCarol = await clientOf(carol);
    const session = await logInThroughForm(env.hubApiUrl.replace(/\/api$/, ''), carol);
    try {
      assert.equal(await sessionReadsOwnersServer(session), false, 'before the grant');
      await hub.shares.grant(owner, '', { group: team }, ['read:servers']);
      assert.equal(await sessionReadsOwnersServer(session), true, 'through the group');
      assert.equal(await readsOwnersServer(asCarol.as), false, 'a token does not get it');
      await hub.shares.revokeAll(owner, '');
      assert.equal(await sessionReadsOwnersServer(session), false, 'after the revoke');
    } finally {
      await asCarol.done();
      await hub.shares.revokeAll(owner, '');
      await hub.servers.stop(owner, '');
    }
  });
}
