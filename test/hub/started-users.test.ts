// Reads after server starts: alone when few, gathered into the list of ready users when many,
// and back to single reads when the list would cost more or fails.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../support/manual-clock.ts';
import { ServersApi } from '../../src/hub/servers.ts';
import { UsersApi } from '../../src/hub/users.ts';
import { featuresOf } from '../../src/hub/features.ts';
import { faultHubWithClient, json, type SeenRequest } from '../support/fault-hub.ts';

const fixture = faultHubWithClient();
let servers: ServersApi;

beforeEach(() => {
  fixture.hub.seen.length = 0;
  const features = () => Promise.resolve(featuresOf([6, 1, 1]));
  const users = (): UsersApi => new UsersApi(fixture.client, servers, new ManualClock('instant'));
  servers = new ServersApi(fixture.client, features, users);
});

function running(name: string) {
  const server = { name: '', ready: true, pending: null, url: `/user/${name}/` };
  return { name, admin: false, servers: { '': { ...server, started: null, last_activity: null } } };
}

/** A hub whose ready list has `ready` users in all, `pages` of them listed page by page, or fails. */
function hubWithReady(ready: number, pages: string[][], list: 'answers' | 'fails' = 'answers') {
  fixture.hub.otherwise((req, res) => {
    if (req.url.startsWith('/hub/api/users?')) {
      if (list === 'fails') return json(res, 500, { status: 500, message: 'boom' });
      const offset = Number(new URLSearchParams(req.url.split('?')[1]).get('offset'));
      const after = offset + 200 < ready ? { offset: offset + 200, limit: 200, url: 'x' } : null;
      const page = { offset, limit: 200, total: ready, next: after };
      return json(res, 200, { items: (pages[offset / 200] ?? []).map(running), _pagination: page });
    }
    const name = /^\/hub\/api\/users\/([^/?]+)$/.exec(req.url)?.[1];
    if (name === 'gone') return json(res, 404, { status: 404, message: 'Not Found' });
    return json(res, 200, running(name ?? '?'));
  });
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `u${i}`);
const calls = (): string[] => fixture.hub.seen.map((r: SeenRequest) => `${r.method} ${r.url}`);

test('one read after a start is a read of that user', async () => {
  hubWithReady(1, [['u0']]);
  const user = await servers.userAfterStart('u0');
  assert.equal(user?.servers?.['']?.url, '/user/u0/');
  assert.deepEqual(calls(), ['GET /hub/api/users/u0']);
});

test('reads asked for while one is in flight gather into one list of the ready users', async () => {
  hubWithReady(10, [names(10)]);
  const users = await Promise.all(names(10).map((n) => servers.userAfterStart(n)));
  assert.deepEqual(
    users.map((u) => u?.name),
    names(10),
    'each caller gets its own user',
  );
  assert.deepEqual(calls(), [
    'GET /hub/api/users/u0',
    'GET /hub/api/users?state=ready&offset=0&limit=200',
  ]);
});

test('on a hub with many ready servers, names missing from the first page are read alone', async () => {
  hubWithReady(5_000, [['u1', 'u2']]);
  const users = await Promise.all(names(6).map((n) => servers.userAfterStart(n)));
  assert.deepEqual(
    users.map((u) => u?.name),
    names(6),
  );
  assert.deepEqual(calls().sort(), [
    'GET /hub/api/users/u0',
    'GET /hub/api/users/u3',
    'GET /hub/api/users/u4',
    'GET /hub/api/users/u5',
    'GET /hub/api/users?state=ready&offset=0&limit=200',
  ]);
});

test('a failed list falls back to single reads, and a user gone since its start reads as null', async () => {
  hubWithReady(10, [], 'fails');
  const wanted = ['u0', 'u1', 'u2', 'u3', 'gone'];
  const users = await Promise.all(wanted.map((n) => servers.userAfterStart(n)));
  assert.deepEqual(
    users.map((u) => u?.name ?? null),
    ['u0', 'u1', 'u2', 'u3', null],
  );
  assert.ok(
    calls().some((c) => c.includes('?state=ready')),
    'the list was tried first',
  );
  const single = calls().filter((c) => !c.includes('?'));
  assert.deepEqual(single.sort(), wanted.map((n) => `GET /hub/api/users/${n}`).sort());
});

test('the later pages of the ready list are read when they cost less than the names missing', async () => {
  hubWithReady(400, [['u1'], ['u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']]);
  const users = await Promise.all(names(10).map((n) => servers.userAfterStart(n)));
  assert.deepEqual(
    users.map((u) => u?.name),
    names(10),
  );
  assert.deepEqual(calls(), [
    'GET /hub/api/users/u0',
    'GET /hub/api/users?state=ready&offset=0&limit=200',
    'GET /hub/api/users?state=ready&offset=200&limit=200',
  ]);
});
