// Smoke test of the test environment's second JupyterHub (HUB2_API_URL): the same release as the
// first, and independent of it: its own users, groups, servers, token, database and process, so
// that tests of several hubs can tell which hub did what.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { request } from 'undici';
import { uniqueName } from '../support/real-hub.ts';
import { loadTestenv, secondHub } from '../support/testenv.ts';

const env = loadTestenv();
const second = secondHub(env);

interface Endpoint {
  readonly name: string;
  readonly apiUrl: string;
  readonly apiToken: string;
  readonly folder: string;
}

const hub1: Endpoint = {
  name: 'hub',
  apiUrl: env.hubApiUrl,
  apiToken: env.hubApiToken,
  folder: `${env.dir}/hub`,
};
const hub2: Endpoint = {
  name: 'hub2',
  apiUrl: second.apiUrl,
  apiToken: second.apiToken,
  folder: `${env.dir}/hub2`,
};
const pairs: [Endpoint, Endpoint][] = [
  [hub1, hub2],
  [hub2, hub1],
];

async function call(
  hub: Endpoint,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; json: unknown }> {
  const res = await request(`${hub.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `token ${options.token ?? hub.apiToken}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

/** Deletes users left behind by a failed assertion; a 404 (already gone) is fine. */
async function deleteUsers(hub: Endpoint, names: string[]): Promise<void> {
  for (const name of names) {
    await call(hub, 'DELETE', `/users/${name}/server`);
    await call(hub, 'DELETE', `/users/${name}`);
  }
}

test('both hubs run the release the environment file names, at URLs of their own', async () => {
  assert.notEqual(hub1.apiUrl, hub2.apiUrl);
  for (const hub of [hub1, hub2]) {
    const res = await request(`${hub.apiUrl}/`);
    assert.equal(res.statusCode, 200, hub.name);
    assert.deepEqual(await res.body.json(), { version: env.hubVersion }, hub.name);
  }
});

test("each hub knows its own token as the hubops service and refuses the other's", async () => {
  assert.notEqual(hub1.apiToken, hub2.apiToken);
  for (const [hub, other] of pairs) {
    const me = await call(hub, 'GET', '/user');
    assert.equal(me.status, 200, hub.name);
    assert.equal((me.json as { name: string }).name, 'hubops', hub.name);
    for (const path of ['/user', '/users']) {
      const foreign = await call(hub, 'GET', path, { token: other.apiToken });
      assert.equal(foreign.status, 403, `${hub.name} with ${other.name}'s token on ${path}`);
    }
  }
});

test('a user or group created in one hub is absent in the other', async (t) => {
  for (const [hub, other] of pairs) {
    const user = uniqueName('solo');
    const group = uniqueName('solo');
    t.after(() => deleteUsers(hub, [user]));
    t.after(() => call(hub, 'DELETE', `/groups/${group}`).then(() => undefined));

    assert.equal((await call(hub, 'POST', `/users/${user}`)).status, 201, hub.name);
    assert.equal((await call(hub, 'POST', `/groups/${group}`)).status, 201, hub.name);
    assert.equal((await call(hub, 'GET', `/users/${user}`)).status, 200, hub.name);

    assert.equal((await call(other, 'GET', `/users/${user}`)).status, 404, other.name);
    assert.equal((await call(other, 'GET', `/groups/${group}`)).status, 404, other.name);
    const listed = (await call(other, 'GET', '/users')).json as { name: string }[];
    assert.ok(!listed.some((u) => u.name === user), `${other.name} lists ${hub.name}'s user`);
  }
});

test('the same username runs a server on each hub at once, and stops on one only', async (t) => {
  const name = uniqueName('twin');
  t.after(() => Promise.all([deleteUsers(hub1, [name]), deleteUsers(hub2, [name])]));
  for (const hub of [hub1, hub2]) {
    assert.equal((await call(hub, 'POST', `/users/${name}`)).status, 201, hub.name);
  }
  const started = await Promise.all(
    [hub1, hub2].map((hub) => call(hub, 'POST', `/users/${name}/server`)),
  );
  assert.deepEqual(
    started.map((s) => s.status),
    [201, 201],
    'each stand-in server should be ready within the 10 s spawn wait',
  );

  assert.equal((await call(hub1, 'DELETE', `/users/${name}/server`)).status, 204);
  const servers = async (hub: Endpoint): Promise<Record<string, { ready: boolean }>> =>
    (
      (await call(hub, 'GET', `/users/${name}`)).json as {
        servers: Record<string, { ready: boolean }>;
      }
    ).servers;
  assert.deepEqual(await servers(hub1), {});
  assert.equal((await servers(hub2))['']?.ready, true, 'hub2 still runs its server');
});

test('each hub is a process of its own, with its state in its own folder', () => {
  const pids = [hub1, hub2].map((hub) =>
    Number(readFileSync(`${hub.folder}/jupyterhub.pid`, 'utf8')),
  );
  assert.notEqual(pids[0], pids[1]);
  for (const [i, hub] of [hub1, hub2].entries()) {
    const pid = pids[i] ?? 0;
    assert.equal(
      readlinkSync(`/proc/${pid}/cwd`),
      realpathSync(hub.folder),
      `${hub.name} runs in its folder`,
    );
    assert.equal(readFileSync(`${hub.folder}/token`, 'utf8').trim(), hub.apiToken, hub.name);
  }
  const [secret1, secret2] = [hub1, hub2].map((hub) =>
    readFileSync(`${hub.folder}/jupyterhub_cookie_secret`, 'utf8'),
  );
  assert.notEqual(secret1, secret2, 'the hubs share no cookie secret');
});
