// Share calls whose shape matters beyond what the real hub shows: paging, the version gate, what
// is refused before sending, and the hub's form of scopes.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubClient } from '../../src/hub/client.ts';
import { HubError } from '../../src/hub/errors.ts';
import { featuresOf, parseVersion } from '../../src/hub/features.ts';
import type { RequestSample } from '../../src/hub/request.ts';
import { SharesApi, shareScopeProblem, storedShareScopes } from '../../src/hub/shares.ts';
import { FaultHub, hubError, json, ok, type Responder } from '../support/fault-hub.ts';
import { silentLogger } from '../support/logs.ts';
import { ManualClock } from '../support/manual-clock.ts';

let hub: FaultHub;
let client: HubClient;
const samples: RequestSample[] = [];

before(async () => {
  hub = await FaultHub.start();
  client = new HubClient({
    baseUrl: hub.url,
    token: 't',
    clock: new ManualClock('instant'),
    logger: silentLogger,
    onRequest: (sample) => samples.push(sample),
  });
});
after(async () => {
  await client.close();
  await hub.stop();
});
beforeEach(() => {
  hub.seen.length = 0;
  samples.length = 0;
  hub.otherwise(ok({}));
});

function sharesOn(version: string): SharesApi {
  return new SharesApi(
    client,
    () => Promise.resolve(featuresOf(parseVersion(version))),
    () => Promise.resolve(version),
  );
}

/** A share as the hub answers it. */
function share(server: string, target: { user: string } | { group: string }, scopes: string[]) {
  return {
    server: { user: { name: 'alice' }, name: server, url: `/user/alice/${server}`, ready: false },
    scopes,
    user: 'user' in target ? { name: target.user } : null,
    group: 'group' in target ? { name: target.group } : null,
    kind: 'user' in target ? 'user' : 'group',
    created_at: '2026-12-06T06:31:30.960440Z',
  };
}

/** Pages `count` shares of alice's default server, one user each, as the hub does. */
function sharePages(count: number): Responder {
  return (req, res) => {
    const query = new URL(req.url, 'http://x').searchParams;
    const offset = Number(query.get('offset'));
    const limit = Number(query.get('limit'));
    const items = Array.from({ length: Math.max(0, Math.min(limit, count - offset)) }, (_, i) =>
      share('', { user: `u${offset + i}` }, ['access:servers!server=alice/']),
    );
    const next = offset + limit < count ? { offset: offset + limit, limit, url: 'x' } : null;
    json(res, 200, { items, _pagination: { offset, limit, total: count, next } });
  };
}

async function failure(promise: Promise<unknown>): Promise<HubError> {
  const err = await promise.then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HubError, String(err));
  return err;
}

test('the hub form of scopes filters each to the server, drops duplicates and sorts', () => {
  assert.deepEqual(storedShareScopes('alice', ''), ['access:servers!server=alice/']);
  assert.deepEqual(storedShareScopes('alice', 'nb', []), ['access:servers!server=alice/nb']);
  assert.deepEqual(
    storedShareScopes('alice', 'nb', ['read:servers', 'access:servers!server=alice/nb', 'servers']),
    ['access:servers!server=alice/nb', 'read:servers!server=alice/nb', 'servers!server=alice/nb'],
  );
  assert.deepEqual(storedShareScopes('alice', '', ['read:servers', 'read:servers!server=alice/']), [
    'read:servers!server=alice/',
  ]);
});

test('a scope filtered to another server, or one the hub does not define, is a problem', () => {
  assert.equal(shareScopeProblem('read:servers!server=alice/nb', 'alice', 'nb', true), undefined);
  assert.equal(shareScopeProblem('custom:jupyter_server:read:*', 'alice', 'nb', false), undefined);
  assert.equal(
    shareScopeProblem('read:servers!server=bob/', 'alice', '', true),
    '!server=bob/ not allowed on sharing read:servers!server=bob/, only !server=alice/',
  );
  assert.match(
    shareScopeProblem('read:servers!user=alice', 'alice', '', true) ?? '',
    /not allowed/,
  );
  assert.equal(
    shareScopeProblem('nope:servers', 'alice', '', true),
    'JupyterHub has no scope "nope:servers"',
  );
  assert.equal(shareScopeProblem('start:servers', 'alice', '', true), undefined);
  assert.match(shareScopeProblem('start:servers', 'alice', '', false) ?? '', /no scope/);
});

test('lists an owner’s shares over several pages, keeping owner, server, target and scopes', async () => {
  hub.otherwise(sharePages(5));
  const shares = await sharesOn('5.5.1').list('alice', { pageSize: 2 });
  assert.equal(shares.length, 5);
  assert.deepEqual(shares[4], {
    owner: 'alice',
    server: '',
    target: { user: 'u4' },
    scopes: ['access:servers!server=alice/'],
  });
  assert.deepEqual(hub.seen.map((r) => r.url).sort(), [
    '/hub/api/shares/alice?offset=0&limit=2',
    '/hub/api/shares/alice?offset=2&limit=2',
    '/hub/api/shares/alice?offset=4&limit=2',
  ]);
  assert.deepEqual(new Set(samples.map((s) => s.route)), new Set(['/shares/{owner}']));
});

test('an owner the hub does not know has no shares', async () => {
  // The hub's 404 here carries no message.
  hub.otherwise((_req, res) => json(res, 404, { status: 404, message: null }));
  assert.deepEqual(await sharesOn('6.1.1').list('ghost'), []);
});

test('a share for neither a user nor a group is a bad response', async () => {
  const odd = { ...share('', { user: 'bob' }, []), user: null };
  hub.otherwise(ok({ items: [odd], _pagination: { offset: 0, limit: 200, total: 1, next: null } }));
  assert.equal((await failure(sharesOn('6.1.1').list('alice'))).code, 'HUB_BAD_RESPONSE');
});

test('a grant posts the target and the scopes in the hub form to the server’s route', async () => {
  hub.otherwise(ok(share('nb', { group: 'team' }, ['read:servers!server=alice/nb'])));
  const granted = await sharesOn('6.1.1').grant('alice', 'nb', { group: 'team' }, ['read:servers']);
  assert.deepEqual(granted.target, { group: 'team' });
  assert.equal(hub.seen[0]?.method, 'POST');
  assert.equal(hub.seen[0]?.url, '/hub/api/shares/alice/nb');
  assert.deepEqual(JSON.parse(hub.seen[0]?.body ?? ''), {
    group: 'team',
    scopes: ['read:servers!server=alice/nb'],
  });
  await sharesOn('6.1.1').grant('alice', '', { user: 'bob' });
  assert.equal(hub.seen[1]?.url, '/hub/api/shares/alice/', 'the default server ends in a slash');
  assert.deepEqual(JSON.parse(hub.seen[1]?.body ?? ''), {
    user: 'bob',
    scopes: ['access:servers!server=alice/'],
  });
  assert.deepEqual(
    samples.map((s) => s.route),
    ['/shares/{owner}/{server}', '/shares/{owner}/{server}'],
  );
});

test('a revoke without scopes sends only the target, and null means no share is left', async () => {
  const shares = sharesOn('5.5.1');
  assert.equal(await shares.revokeScopes('alice', '', { user: 'bob' }), null);
  assert.deepEqual(JSON.parse(hub.seen[0]?.body ?? ''), { user: 'bob' });
  hub.script(ok(share('', { user: 'bob' }, ['access:servers!server=alice/'])));
  const left = await shares.revokeScopes('alice', '', { user: 'bob' }, ['read:servers']);
  assert.deepEqual(left?.scopes, ['access:servers!server=alice/']);
  assert.deepEqual(JSON.parse(hub.seen[1]?.body ?? ''), {
    user: 'bob',
    scopes: ['read:servers!server=alice/'],
  });
});

test('an empty scope list, an unknown scope or another server’s filter is refused unsent', async () => {
  const shares = sharesOn('6.1.1');
  const bob = { user: 'bob' };
  for (const refused of [
    shares.revokeScopes('alice', '', bob, []),
    shares.revokeScopes('alice', '', bob, ['nope:servers']),
    shares.grant('alice', '', bob, ['read:servers!server=bob/']),
    shares.grant('alice', '', bob, ['nope:servers']),
  ]) {
    const err = await failure(refused);
    assert.equal(err.code, 'HUB_INVALID');
    assert.match(err.message, /not sent/);
  }
  assert.equal(hub.seen.length, 0);
});

test('the hub’s refusals keep their codes and messages; a missing server on revoke is no share', async () => {
  const shares = sharesOn('6.1.1');
  const bob = { user: 'bob' };
  hub.script(hubError(404, 'No such server: alice/nb'));
  assert.equal((await failure(shares.grant('alice', 'nb', bob))).code, 'HUB_NOT_FOUND');
  hub.script(hubError(400, 'No such user: ghost'));
  const unknown = await failure(shares.grant('alice', '', { user: 'ghost' }));
  assert.equal(unknown.code, 'HUB_INVALID');
  assert.match(unknown.message, /No such user: ghost/);
  hub.script(hubError(403, 'Do not have permission to grant share with scope admin:users'));
  assert.equal((await failure(shares.grant('alice', '', bob))).code, 'HUB_UNAUTHORIZED');
  hub.script(hubError(404, 'No such server: alice/nb'), hubError(404, 'No such server: alice/nb'));
  assert.equal(await shares.revokeScopes('alice', 'nb', bob), null);
  await shares.revokeAll('alice', 'nb');
  assert.equal(hub.seen.length, 5, 'none of these is retried');
});

test('before JupyterHub 5.0 every call is HUB_UNSUPPORTED, naming the release, without a request', async () => {
  const shares = sharesOn('4.1.6');
  const bob = { user: 'bob' };
  for (const call of [
    shares.list('alice'),
    shares.grant('alice', '', bob),
    shares.revokeScopes('alice', '', bob),
    shares.revokeScopes('alice', '', bob, []),
    shares.revokeAll('alice', ''),
  ]) {
    const err = await failure(call);
    assert.equal(err.code, 'HUB_UNSUPPORTED');
    assert.equal(err.message, 'sharing needs JupyterHub 5.0 or later (this hub is 4.1.6)');
  }
  assert.equal(hub.seen.length, 0);
});
