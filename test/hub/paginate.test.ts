// The pagination walk, against an in-process server that pages a list of names.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { listAll, paginate, paginationAccept } from '../../src/hub/paginate.ts';
import { faultHubWithClient, json, type Responder } from '../support/fault-hub.ts';

const item = z.object({ name: z.string() });
const fixture = faultHubWithClient();
beforeEach(() => {
  fixture.hub.seen.length = 0;
});

/** Every user the fake hub pages out, by name. */
const listUsers = () =>
  listAll(fixture.client, { route: '/users', path: '/users' }, item, (u) => u.name);

/** Serves `total` names the way the hub pages them, clamping limit to 200. */
function pages(total: number, claimedTotal = total): Responder {
  return (req, res) => {
    const query = new URL(req.url, 'http://x').searchParams;
    const offset = Number(query.get('offset'));
    const limit = Math.min(200, Number(query.get('limit')));
    const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({
      name: `u${offset + i}`,
      extra: 1,
    }));
    const next =
      offset + limit < total
        ? { offset: offset + limit, limit, url: 'http://elsewhere/hub/api/users' }
        : null;
    json(res, 200, { items, _pagination: { offset, limit, total: claimedTotal, next } });
  };
}

test('walks every page with the pagination Accept header and limit=200', async () => {
  fixture.hub.otherwise(pages(450));
  const all = await listUsers();
  assert.equal(all.size, 450);
  assert.deepEqual(
    all.get('u449'),
    { name: 'u449' },
    'fields the operator does not use are dropped',
  );
  assert.deepEqual(
    fixture.hub.seen.map((r) => r.url),
    [
      '/hub/api/users?offset=0&limit=200',
      '/hub/api/users?offset=200&limit=200',
      '/hub/api/users?offset=400&limit=200',
    ],
  );
  assert.ok(fixture.hub.seen.every((r) => r.headers.accept === paginationAccept));
});

test('an empty list costs one request', async () => {
  fixture.hub.otherwise(pages(0));
  assert.equal((await listUsers()).size, 0);
  assert.equal(fixture.hub.seen.length, 1);
});

test('keeps query parameters on every page', async () => {
  fixture.hub.otherwise(pages(201));
  for await (const page of paginate(
    fixture.client,
    { route: '/users', path: '/users', query: { state: 'active' } },
    item,
  )) {
    assert.ok(page.length > 0);
  }
  assert.deepEqual(
    fixture.hub.seen.map((r) => r.url),
    [
      '/hub/api/users?state=active&offset=0&limit=200',
      '/hub/api/users?state=active&offset=200&limit=200',
    ],
  );
});

test('a hub that answers bare lists is walked by offset until a short page', async () => {
  fixture.hub.otherwise((req, res) => {
    const offset = Number(new URL(req.url, 'http://x').searchParams.get('offset'));
    json(
      res,
      200,
      Array.from({ length: offset === 0 ? 200 : 15 }, (_, i) => ({ name: `u${offset + i}` })),
    );
  });
  const all = await listUsers();
  assert.equal(all.size, 215);
  assert.equal(fixture.hub.seen.length, 2);
});

test('a next link that does not advance is HUB_BAD_RESPONSE, not an endless walk', async () => {
  fixture.hub.otherwise((_req, res) =>
    json(res, 200, {
      items: [{ name: 'a' }],
      _pagination: { offset: 0, limit: 1, total: 5, next: { offset: 0, limit: 1 } },
    }),
  );
  await assert.rejects(listUsers(), /did not advance/);
});

test('after the first page, the rest of a list are in flight together, two at a time', async () => {
  let inFlight = 0;
  let most = 0;
  const serve = pages(1000);
  fixture.hub.otherwise((req, res) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      serve(req, res);
    }, 20);
  });
  const all = await listUsers();
  assert.equal(all.size, 1000);
  assert.equal(fixture.hub.seen.length, 5);
  assert.equal(most, 2, 'the budget keeps two requests in flight; a page-by-page walk keeps one');
});

test('a list that grew during the walk is followed past the total its first page told', async () => {
  fixture.hub.otherwise(pages(450, 400));
  const all = await listUsers();
  assert.equal(all.size, 450);
  assert.deepEqual(
    fixture.hub.seen.map((r) => new URL(r.url, 'http://x').searchParams.get('offset')),
    ['0', '200', '400'],
  );
});

test('each page is handed on as it arrives, before the whole list is read', async () => {
  const serve = pages(650, 450);
  // The page at 200 answers last, so arrival order differs from offset order.
  fixture.hub.otherwise((req, res) => {
    const late = req.url.includes('offset=200&');
    setTimeout(() => serve(req, res), late ? 40 : 0);
  });
  const arrivals: string[][] = [];
  const all = await listAll(
    fixture.client,
    { route: '/users', path: '/users' },
    item,
    (u) => u.name,
    (page) => arrivals.push(page.map((u) => u.name)),
  );
  assert.equal(all.size, 650);
  assert.deepEqual(
    arrivals.map((page) => [page[0], page.length]),
    [
      ['u0', 200],
      ['u400', 200],
      ['u200', 200],
      ['u600', 50],
    ],
    'the first page, the two read together as they answer, then the page past the told total',
  );
});
