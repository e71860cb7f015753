// Server calls whose bookkeeping matters beyond what the real hub shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { HubFeatures } from '../../src/hub/features.ts';
import { ServersApi } from '../../src/hub/servers.ts';
import type { UsersApi } from '../../src/hub/users.ts';
import { faultHubWithClient, ok } from '../support/fault-hub.ts';

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
