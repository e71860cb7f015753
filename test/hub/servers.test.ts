// Server calls whose bookkeeping matters beyond what the real hub shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { HubError } from '../../src/hub/errors.ts';
import { featuresOf, parseVersion, type HubFeatures } from '../../src/hub/features.ts';
import { ServersApi } from '../../src/hub/servers.ts';
import type { UsersApi } from '../../src/hub/users.ts';
import { faultHubWithClient, hubError, ok } from '../support/fault-hub.ts';

const fixture = faultHubWithClient();

test('the servers API says it is starting while a start waits on the hub, and not after', async () => {
  let answer: (() => void) | undefined;
  fixture.hub.script((req, res) => (answer = () => ok({}, 201)(req, res)));
  const servers = new ServersApi(
    fixture.client,
    () => Promise.resolve({} as HubFeatures),
    () => ({}) as UsersApi,
  );
  assert.equal(servers.starting(), false);
  const start = servers.start('alice', '');
  while (!answer) await tick();
  assert.equal(servers.starting(), true, 'while the hub holds the answer');
  answer();
  assert.equal(await start, 'ready');
  assert.equal(servers.starting(), false);
});

test('a stop that JupyterHub 4 answers with 500 is done when the user does not exist, and an error when it does', async () => {
  const stopFor = async (userExists: boolean): Promise<unknown> => {
    fixture.hub.otherwise((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 500, message: 'Internal Server Error' }));
    });
    const servers = new ServersApi(
      fixture.client,
      () => Promise.resolve({} as HubFeatures),
      () =>
        ({
          get: () => Promise.resolve(userExists ? { name: 'ghost', admin: false } : null),
        }) as unknown as UsersApi,
    );
    return servers.stop('ghost', '').catch((err: unknown) => err);
  };
  assert.equal(await stopFor(false), 'stopped');
  const failed = await stopFor(true);
  assert.ok(failed instanceof Error && /500/.test(failed.message), String(failed));
});

/** A ServersApi on the fault hub for a hub of `version`; it never reads users. */
function serversOn(version: string): ServersApi {
  return new ServersApi(
    fixture.client,
    () => Promise.resolve(featuresOf(parseVersion(version))),
    () => ({}) as UsersApi,
  );
}

test('server records need JupyterHub 6: before it, creating or editing one sends nothing', async () => {
  fixture.hub.seen.length = 0;
  const servers = serversOn('5.5.1');
  for (const call of [
    servers.createStopped('alice', 'nb'),
    servers.updateRecord('alice', 'nb', { displayName: 'Notebook' }),
  ]) {
    const err = await call.catch((e: unknown) => e);
    assert.ok(err instanceof HubError && err.code === 'HUB_UNSUPPORTED', String(err));
  }
  assert.equal(fixture.hub.seen.length, 0);
});

test('a record edit sends only the display name and user options, and nothing at all when neither is given', async () => {
  fixture.hub.seen.length = 0;
  fixture.hub.otherwise(ok({ name: 'nb', ready: false, pending: null, display_name: 'Notebook' }));
  const servers = serversOn('6.1.1');
  await servers.updateRecord('alice', 'nb', { displayName: 'Notebook', userOptions: { cpu: 2 } });
  assert.equal(fixture.hub.seen[0]?.method, 'PATCH');
  assert.equal(fixture.hub.seen[0]?.url, '/hub/api/users/alice/servers/nb');
  assert.deepEqual(JSON.parse(fixture.hub.seen[0]?.body ?? ''), {
    display_name: 'Notebook',
    user_options: { cpu: 2 },
  });
  const empty = await servers.updateRecord('alice', 'nb', {}).catch((e: unknown) => e);
  assert.ok(empty instanceof HubError && empty.code === 'HUB_INVALID', String(empty));
  assert.equal(fixture.hub.seen.length, 1);
});

test('editing the record of an active server is HUB_PENDING, asked once', async () => {
  fixture.hub.seen.length = 0;
  fixture.hub.otherwise(hubError(400, 'alice:nb is active. Please stop it before modifying it.'));
  const err = await serversOn('6.1.1')
    .updateRecord('alice', 'nb', { displayName: 'x' })
    .catch((e: unknown) => e);
  assert.ok(err instanceof HubError && err.code === 'HUB_PENDING', String(err));
  assert.match(err.message, /is active/);
  assert.equal(fixture.hub.seen.length, 1);
});
