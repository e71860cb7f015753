// Proves the private hub (private-hub.ts): a form login with an authenticator that manages groups
// sets the user's groups, and the real jupyterhub-idle-culler deletes idle users and removes idle
// named servers within seconds. Runs the testenv's hub release, or PRIVATE_HUB_VERSION's.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { loadTestenv } from './testenv.ts';
import { privateHubVersion, startPrivateHub, type PrivateHub } from './private-hub.ts';

const env = loadTestenv();
const version = privateHubVersion(env);
const [major = 0, minor = 0] = version.split('.').map(Number);
// Per docs/design/sharing-culler-authenticator.md: before 5.3 the hub refuses group writes through
// the API while the authenticator manages groups; from 5.3 it accepts them and a login undoes them.
const refusesGroupWrites = major < 5 || (major === 5 && minor < 3);

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

async function call(
  hub: PrivateHub,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${hub.apiUrl}${path}`, {
    method,
    headers: { Authorization: `token ${hub.apiToken}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

/** The user model with stopped server records too, or undefined once the user is gone. */
async function userModel(
  hub: PrivateHub,
  name: string,
): Promise<{ groups: string[]; servers: Record<string, { ready?: boolean }> } | undefined> {
  const answer = await call(hub, 'GET', `/users/${name}?include_stopped_servers`);
  if (answer.status === 404) return undefined;
  assert.equal(answer.status, 200, `GET /users/${name}`);
  return answer.body as { groups: string[]; servers: Record<string, { ready?: boolean }> };
}

/** Polls check every 250 ms until it holds, for timeoutMs at most; resolves with the ms it took. */
async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) assert.fail(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return Date.now() - start;
}

/** Starts a named server and waits until it is ready. */
async function startNamedServer(hub: PrivateHub, user: string, server: string): Promise<void> {
  const started = await call(hub, 'POST', `/users/${user}/servers/${server}`);
  assert.ok([201, 202].includes(started.status), `start ${user}/${server}: ${started.status}`);
  await waitUntil(`${user}/${server} ready`, 15_000, async () => {
    const model = await userModel(hub, user);
    return model?.servers[server]?.ready === true;
  });
}

describe(`a private hub whose authenticator manages groups (JupyterHub ${version})`, () => {
  let hub: PrivateHub;
  before(async () => {
    hub = await startPrivateHub(env, { managedGroups: true });
  });
  after(async () => {
    await hub?.stop();
  });

  test(
    'a login sets the groups to its own list, undoing membership written through the API (5.3+)',
    { skip: refusesGroupWrites && `JupyterHub ${version} refuses the API writes this test makes` },
    async () => {
      assert.equal((await call(hub, 'POST', '/groups/g')).status, 201);
      assert.equal((await call(hub, 'POST', '/users/u')).status, 201);
      const added = await call(hub, 'POST', '/groups/g/users', { users: ['u'] });
      assert.equal(added.status, 200);
      assert.deepEqual((await userModel(hub, 'u'))?.groups, ['g']);

      await hub.login('u', ['h']);

      assert.deepEqual((await userModel(hub, 'u'))?.groups, ['h']);
      const g = await call(hub, 'GET', '/groups/g');
      assert.deepEqual(g.body?.['users'], [], 'g itself stays, empty');
    },
  );

  test(
    'before 5.3 group writes through the API answer 400 and a login still sets the groups',
    { skip: !refusesGroupWrites && `JupyterHub ${version} accepts group writes through the API` },
    async () => {
      const refused = { status: 400, message: 'Group management via API is disabled' };
      assert.deepEqual((await call(hub, 'POST', '/groups/g')).body, refused);
      assert.equal((await call(hub, 'POST', '/users/u')).status, 201);
      const added = await call(hub, 'POST', '/groups/g/users', { users: ['u'] });
      assert.deepEqual(added.body, refused);

      await hub.login('u', ['h']);

      assert.deepEqual((await userModel(hub, 'u'))?.groups, ['h']);
      const groups = (await call(hub, 'GET', '/groups')).body as unknown as { name: string }[];
      assert.deepEqual(
        groups.map((group) => group.name),
        ['h'],
        'the login created h; g never came to be',
      );
    },
  );

  test('each login replaces the groups with its own list, down to none', async () => {
    await hub.login('v', ['x', 'y']);
    assert.deepEqual((await userModel(hub, 'v'))?.groups.sort(), ['x', 'y']);
    await hub.login('v', ['y', 'z']);
    assert.deepEqual((await userModel(hub, 'v'))?.groups.sort(), ['y', 'z']);
    await hub.login('v', []);
    assert.deepEqual((await userModel(hub, 'v'))?.groups, []);
  });
});

const timeoutSeconds = 4;
const everySeconds = 2;
// The culler acts once a user or server has been idle for the timeout, at its next round.
const cullWithinMs = (timeoutSeconds + 2 * everySeconds) * 1000 + 20_000;

describe(`a private hub with the idle culler culling users (JupyterHub ${version})`, () => {
  let hub: PrivateHub;
  before(async () => {
    hub = await startPrivateHub(env, {
      culler: { timeoutSeconds, everySeconds, cullUsers: true, removeNamedServers: true },
    });
  });
  after(async () => {
    await hub?.stop();
  });

  test('deletes a user who never had a server or activity, counting from `created`', async (t) => {
    const created = await call(hub, 'POST', '/users/idle');
    assert.equal(created.status, 201);
    assert.equal(created.body?.['last_activity'], null);
    const tookMs = await waitUntil('idle culled', cullWithinMs, async () => {
      return (await userModel(hub, 'idle')) === undefined;
    });
    assert.ok(tookMs >= timeoutSeconds * 1000 - 500, `culled after ${tookMs} ms, before timeout`);
    report(t, `user culled ${tookMs} ms after creation`);
  });

  test('deletes an idle admin user too (cull-admin-users defaults to True)', async (t) => {
    assert.equal((await call(hub, 'POST', '/users/boss', { admin: true })).status, 201);
    const tookMs = await waitUntil('boss culled', cullWithinMs, async () => {
      return (await userModel(hub, 'boss')) === undefined;
    });
    report(t, `admin user culled ${tookMs} ms after creation`);
  });

  test('deletes a user whose named server is stopped, and the server record with it', async (t) => {
    assert.equal((await call(hub, 'POST', '/users/parked')).status, 201);
    await startNamedServer(hub, 'parked', 'lab');
    assert.equal((await call(hub, 'DELETE', '/users/parked/servers/lab')).status, 204);
    const stopped = await userModel(hub, 'parked');
    assert.ok(stopped?.servers['lab'], 'the stopped record shows');
    const tookMs = await waitUntil('parked culled', cullWithinMs, async () => {
      return (await userModel(hub, 'parked')) === undefined;
    });
    report(t, `user with a stopped named server culled ${tookMs} ms after the stop`);
  });
});

describe(`a private hub with the idle culler keeping users (JupyterHub ${version})`, () => {
  let hub: PrivateHub;
  before(async () => {
    hub = await startPrivateHub(env, {
      culler: { timeoutSeconds, everySeconds, cullUsers: false, removeNamedServers: true },
    });
  });
  after(async () => {
    await hub?.stop();
  });

  test('stops and removes an idle running named server; the user stays', async (t) => {
    assert.equal((await call(hub, 'POST', '/users/runner')).status, 201);
    await startNamedServer(hub, 'runner', 'lab');
    const tookMs = await waitUntil('runner/lab removed', cullWithinMs, async () => {
      return (await userModel(hub, 'runner'))?.servers['lab'] === undefined;
    });
    assert.ok(await userModel(hub, 'runner'), 'runner stays');
    report(t, `running named server removed ${tookMs} ms after it was ready`);
  });

  test('leaves an idle user and a stopped named server alone', async () => {
    assert.equal((await call(hub, 'POST', '/users/keeper')).status, 201);
    assert.equal((await call(hub, 'POST', '/users/parked')).status, 201);
    await startNamedServer(hub, 'parked', 'lab');
    assert.equal((await call(hub, 'DELETE', '/users/parked/servers/lab')).status, 204);
    // A server started after the others stops being idle last: once the culler has removed it,
    // it has had a round in which keeper and parked/lab were past the timeout too.
    assert.equal((await call(hub, 'POST', '/users/witness')).status, 201);
    await startNamedServer(hub, 'witness', 'lab');
    await waitUntil('witness/lab removed', cullWithinMs, async () => {
      return (await userModel(hub, 'witness'))?.servers['lab'] === undefined;
    });

    assert.ok(await userModel(hub, 'keeper'), 'keeper stays');
    const parked = await userModel(hub, 'parked');
    assert.ok(parked?.servers['lab'], 'the culler only looks at running servers');
    assert.notEqual(parked.servers['lab'].ready, true);
  });
});

/** Timings go to the test report (node --test prints diagnostics under the test). */
function report(t: TestContext, line: string): void {
  t.diagnostic(`JupyterHub ${version}: ${line}`);
}
