// Smoke test of the test environment's real JupyterHub: the version it claims, the operator's
// service token and scopes, and the stand-in single-user server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();

async function hub(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  const res = await request(`${env.hubApiUrl}${path}`, {
    method,
    headers: {
      authorization: `token ${options.token ?? env.hubApiToken}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : null };
}

test('the hub runs the release the environment file names, and says so without a token', async () => {
  const res = await request(`${env.hubApiUrl}/`);
  assert.equal(res.statusCode, 200);
  assert.deepEqual(await res.body.json(), { version: env.hubVersion });
  assert.equal(res.headers['x-jupyterhub-version'], env.hubVersion);
});

test('the operator token is a service with the scopes it needs, admin included', async () => {
  const { status, json } = await hub('GET', '/user');
  assert.equal(status, 200);
  const me = json as { kind: string; name: string; scopes: string[] };
  assert.equal(me.kind, 'service');
  assert.equal(me.name, 'hubops');
  for (const scope of ['admin:users', 'admin:groups', 'admin:servers', 'read:hub']) {
    assert.ok(me.scopes.includes(scope), `missing scope ${scope}`);
  }
});

test('a wrong token is refused with 403', async () => {
  assert.equal((await hub('GET', '/users', { token: 'not-the-token' })).status, 403);
});

test('the operator token creates an admin user, starts its server and deletes it', async () => {
  const name = `smoke-${randomBytes(4).toString('hex')}`;
  const created = await hub('POST', `/users/${name}`, { body: { admin: true } });
  assert.equal(created.status, 201);
  assert.equal((created.json as { admin: boolean }).admin, true);

  const started = await hub('POST', `/users/${name}/server`);
  assert.equal(
    started.status,
    201,
    'the stand-in server should be ready within the 10 s spawn wait',
  );
  const user = (await hub('GET', `/users/${name}`)).json as {
    servers: Record<string, { ready: boolean }>;
  };
  assert.equal(user.servers['']?.ready, true);

  assert.equal((await hub('DELETE', `/users/${name}/server`)).status, 204);
  assert.equal((await hub('DELETE', `/users/${name}`)).status, 204);
  assert.equal((await hub('GET', `/users/${name}`)).status, 404);
});
