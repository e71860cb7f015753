// HubSnapshot against an in-process hub that pages its users and groups: what a sweep reads and
// what it costs, shared and once-only sweeps, writes recorded during a sweep winning over its
// stale pages, which records announce a user to onUserAppeared, and a first sweep that answers
// for a user as soon as one of its pages lists it.
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../../src/hub/hub.ts';
import type { HubGroup, HubUser } from '../../src/hub/models.ts';
import { maxPageSize } from '../../src/hub/paginate.ts';
import { HubSnapshot } from '../../src/hub/snapshot.ts';
import { FaultHub, json, type SeenRequest } from '../support/fault-hub.ts';
import { ManualClock, until } from '../support/manual-clock.ts';
import { silentLogger } from '../support/logs.ts';

let fault: FaultHub;
let hub: Hub;
let snapshot: HubSnapshot;
/** What the fake hub lists; its pages are cut when each request arrives. */
let listing: { users: string[]; groups: Map<string, string[]> };
/** Pages whose answer is held back: one page's answer waits on the promise this returns. */
let hold: ((req: SeenRequest) => Promise<void> | undefined) | undefined;
/** Pages the fake hub refuses (403), failing the sweep that asks for them. */
let refuse: ((req: SeenRequest) => boolean) | undefined;

before(async () => {
  fault = await FaultHub.start();
  fault.otherwise(answer);
});
after(() => fault.stop());
beforeEach(() => {
  fault.seen.length = 0;
  listing = { users: [], groups: new Map() };
  hold = undefined;
  refuse = undefined;
  hub = new Hub({
    baseUrl: fault.url,
    token: 't',
    clock: new ManualClock('instant'),
    logger: silentLogger,
  });
  snapshot = new HubSnapshot(hub);
});
afterEach(() => hub.close());

/** A user model as a hub of today lists it. */
const userOf = (name: string, admin = false): HubUser => ({
  name,
  admin,
  groups: [],
  created: '2026-12-06T09:00:00.000000Z',
  last_activity: null,
  servers: {},
});
const groupOf = (name: string, users: string[] = []): HubGroup => ({ name, users });
const names = (count: number, prefix: string): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** Pages `listing` as the hub does (offset and limit from the query, the envelope's `next`). */
function answer(req: SeenRequest, res: Parameters<typeof json>[0]): void {
  if (req.method === 'GET' && req.url === '/hub/api/') {
    json(res, 200, { version: '6.1.1' });
    return;
  }
  const list = /^\/hub\/api\/(users|groups)\?/.exec(req.url)?.[1];
  if (req.method !== 'GET' || list === undefined) {
    json(res, 404, { status: 404, message: 'Not Found' });
    return;
  }
  if (refuse?.(req)) {
    json(res, 403, { status: 403, message: 'Forbidden' });
    return;
  }
  const query = new URL(req.url, 'http://hub').searchParams;
  const offset = Number(query.get('offset') ?? 0);
  const limit = Math.min(maxPageSize, Number(query.get('limit') ?? maxPageSize));
  const all =
    list === 'users'
      ? listing.users.map((name) => userOf(name))
      : [...listing.groups].map(([name, users]) => groupOf(name, users));
  const items = all.slice(offset, offset + limit);
  const end = offset + items.length;
  const next = end < all.length ? { offset: end, limit } : null;
  const body = { items, _pagination: { offset, limit, total: all.length, next } };
  const held = hold?.(req);
  if (held) void held.then(() => json(res, 200, body));
  else json(res, 200, body);
}

function listRequests(list: 'users' | 'groups'): string[] {
  return fault.seen
    .filter((req) => req.method === 'GET' && req.url.startsWith(`/hub/api/${list}?`))
    .map((req) => req.url);
}

/** Holds the answer to a page of the user list until the returned function is called. */
function holdUserPage(offset = 0): () => void {
  let release = (): void => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  hold = (req) => (req.url.startsWith(`/hub/api/users?offset=${offset}&`) ? released : undefined);
  return release;
}
const holdFirstUserPage = (): (() => void) => holdUserPage(0);

/** Whether `promise` has settled after the pages in flight had a moment to land. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  return done;
}

/** Until the (held) first page of the user list has reached the hub. */
function firstUserPageAsked(): Promise<void> {
  return until(() => listRequests('users').some((url) => url.includes('offset=0&')));
}

test('a sweep fills the users and groups from every page, at one request per 200 of each', async () => {
  listing.users = names(450, 'user-');
  listing.groups = new Map(names(201, 'group-').map((name) => [name, [`${name}-member`]]));
  await snapshot.sweep();

  for (const name of listing.users) assert.ok(snapshot.hasUser(name), name);
  assert.deepEqual(snapshot.user('user-449'), userOf('user-449'), 'the last page is read');
  assert.deepEqual(snapshot.group('group-200'), groupOf('group-200', ['group-200-member']));
  assert.deepEqual(snapshot.group('group-0'), groupOf('group-0', ['group-0-member']));
  assert.deepEqual(listRequests('users').sort(), [
    '/hub/api/users?offset=0&limit=200',
    '/hub/api/users?offset=200&limit=200',
    '/hub/api/users?offset=400&limit=200',
  ]);
  assert.deepEqual(listRequests('groups').sort(), [
    '/hub/api/groups?offset=0&limit=200',
    '/hub/api/groups?offset=200&limit=200',
  ]);
});

test('a later sweep replaces the picture, so a user or group gone from the hub is gone from it', async () => {
  listing.users = ['ada', 'bob'];
  listing.groups = new Map([['staff', ['ada']]]);
  await snapshot.sweep();
  assert.ok(snapshot.hasUser('bob'));

  listing.users = ['ada'];
  listing.groups = new Map();
  await snapshot.sweep();
  assert.ok(snapshot.hasUser('ada'));
  assert.equal(snapshot.hasUser('bob'), false);
  assert.equal(snapshot.user('bob'), undefined);
  assert.equal(snapshot.group('staff'), undefined);
});

test('concurrent sweeps share one sweep and so one set of requests', async () => {
  listing.users = names(450, 'user-');
  const first = snapshot.sweep();
  const second = snapshot.sweep();
  assert.equal(first, second, 'the second caller gets the sweep in flight');
  await Promise.all([first, second]);
  assert.equal(listRequests('users').length, 3);
  assert.equal(listRequests('groups').length, 1);

  await snapshot.sweep();
  assert.equal(listRequests('users').length, 6, 'a sweep after the shared one reads afresh');
});

test('ready() sweeps when no sweep has completed, and not again once one has', async () => {
  listing.users = ['ada'];
  await snapshot.ready();
  assert.ok(snapshot.hasUser('ada'));
  assert.equal(listRequests('users').length, 1);
  assert.equal(listRequests('groups').length, 1);

  listing.users = ['ada', 'bob'];
  await snapshot.ready();
  await snapshot.ready();
  assert.equal(listRequests('users').length, 1, 'no request after the first sweep');
  assert.equal(snapshot.hasUser('bob'), false, 'the picture is the first sweep’s');
});

test('ready() after a completed sweep() sends nothing, and ready() during a sweep waits on it', async () => {
  listing.users = ['ada'];
  const release = holdFirstUserPage();
  const sweep = snapshot.sweep();
  await firstUserPageAsked();
  let readyResolved = false;
  const ready = snapshot.ready().then(() => (readyResolved = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(readyResolved, false, 'ready() waits for the sweep in flight');
  release();
  await Promise.all([sweep, ready]);
  assert.ok(snapshot.hasUser('ada'));
  assert.equal(listRequests('users').length, 1, 'ready() shared the sweep in flight');

  await snapshot.ready();
  assert.equal(listRequests('users').length, 1, 'and sends nothing once it completed');
});

test('a user recorded while a sweep is in flight wins over the sweep’s stale copy', async () => {
  listing.users = ['ada', 'bob'];
  const release = holdFirstUserPage();
  const sweep = snapshot.sweep();
  await firstUserPageAsked();
  // The held page was cut before this write: it lists ada as no admin.
  snapshot.recordUser(userOf('ada', true));
  release();
  await sweep;
  assert.deepEqual(snapshot.user('ada'), userOf('ada', true));
  assert.deepEqual(snapshot.user('bob'), userOf('bob'), 'the rest of the page still lands');
});

test('a user forgotten while a sweep is in flight stays forgotten though the sweep lists it', async () => {
  listing.users = ['ada', 'bob'];
  await snapshot.sweep();
  assert.ok(snapshot.hasUser('ada'));

  const release = holdFirstUserPage();
  const sweep = snapshot.sweep();
  await firstUserPageAsked();
  snapshot.forgetUser('ada');
  release();
  await sweep;
  assert.equal(snapshot.hasUser('ada'), false);
  assert.equal(snapshot.user('ada'), undefined);
  assert.ok(snapshot.hasUser('bob'));
});

test('a group recorded or forgotten while a sweep is in flight wins over the sweep’s pages', async () => {
  listing.groups = new Map([
    ['staff', ['ada']],
    ['old', []],
  ]);
  await snapshot.sweep();
  const release = holdFirstUserPage();
  const sweep = snapshot.sweep();
  await firstUserPageAsked();
  await until(() => listRequests('groups').length === 2);
  snapshot.recordGroup(groupOf('staff', ['ada', 'bob']));
  snapshot.forgetGroup('old');
  release();
  await sweep;
  assert.deepEqual(snapshot.group('staff'), groupOf('staff', ['ada', 'bob']));
  assert.equal(snapshot.group('old'), undefined);
});

test('a write recorded during one sweep does not outlive the next sweep, which no longer lists it', async () => {
  listing.users = ['ada'];
  const release = holdFirstUserPage();
  const sweep = snapshot.sweep();
  await firstUserPageAsked();
  snapshot.recordUser(userOf('bob'));
  release();
  await sweep;
  assert.ok(snapshot.hasUser('bob'), 'the sweep it overlapped kept it');

  hold = undefined;
  await snapshot.sweep();
  assert.equal(snapshot.hasUser('bob'), false, 'the hub’s list is the truth for later sweeps');
  assert.ok(snapshot.hasUser('ada'));
});

test('onUserAppeared fires once for a user recorded new to the snapshot, not when recorded again', () => {
  const appeared: string[] = [];
  snapshot.onUserAppeared((name) => appeared.push(name));
  snapshot.recordUser(userOf('ada'));
  assert.deepEqual(appeared, ['ada']);
  snapshot.recordUser(userOf('ada', true));
  assert.deepEqual(appeared, ['ada'], 'a user it already held is not announced');
  assert.deepEqual(snapshot.user('ada'), userOf('ada', true), 'though its copy is replaced');
});

test('onUserAppeared does not fire for users a sweep finds, nor when one of them is recorded', async () => {
  const appeared: string[] = [];
  snapshot.onUserAppeared((name) => appeared.push(name));
  listing.users = ['ada', 'bob'];
  await snapshot.sweep();
  assert.ok(snapshot.hasUser('ada'));
  assert.deepEqual(appeared, [], 'a sweep’s pages are not announced');
  snapshot.recordUser(userOf('ada', true));
  assert.deepEqual(appeared, [], 'the sweep already put ada in the snapshot');
  snapshot.recordUser(userOf('cy'));
  assert.deepEqual(appeared, ['cy']);
});

test('a user forgotten and then recorded again is announced again, to every listener', () => {
  const first: string[] = [];
  const second: string[] = [];
  snapshot.onUserAppeared((name) => first.push(name));
  snapshot.onUserAppeared((name) => second.push(name));
  snapshot.recordUser(userOf('ada'));
  snapshot.forgetUser('ada');
  assert.deepEqual(first, ['ada'], 'forgetting announces nothing');
  snapshot.recordUser(userOf('ada'));
  assert.deepEqual(first, ['ada', 'ada']);
  assert.deepEqual(second, ['ada', 'ada']);
});

test('hasUser, user and group reflect what is recorded and forgotten, without a request', () => {
  assert.equal(snapshot.hasUser('ada'), false);
  assert.equal(snapshot.user('ada'), undefined);
  assert.equal(snapshot.group('staff'), undefined);

  snapshot.recordUser(userOf('ada', true));
  snapshot.recordGroup(groupOf('staff', ['ada']));
  assert.ok(snapshot.hasUser('ada'));
  assert.deepEqual(snapshot.user('ada'), userOf('ada', true));
  assert.deepEqual(snapshot.group('staff'), groupOf('staff', ['ada']));

  snapshot.forgetUser('ada');
  snapshot.forgetGroup('staff');
  assert.equal(snapshot.hasUser('ada'), false);
  assert.equal(snapshot.user('ada'), undefined);
  assert.equal(snapshot.group('staff'), undefined);
  assert.equal(fault.seen.length, 0);
});

test('the counts are what the snapshot holds now: the sweep, then the operator’s own writes, and running servers', async () => {
  listing.users = names(3, 'user-');
  listing.groups = new Map([['g', []]]);
  await snapshot.sweep();
  assert.deepEqual(snapshot.counts(), { users: 3, groups: 1, runningServers: 0 });
  assert.equal(snapshot.lastSweep?.users, 3);
  snapshot.recordUser({
    name: 'new',
    admin: false,
    servers: { '': { name: '', ready: true }, lab: { name: 'lab', ready: false } },
  } as unknown as HubUser);
  assert.deepEqual(snapshot.counts(), { users: 4, groups: 1, runningServers: 1 });
  assert.equal(snapshot.lastSweep?.users, 3, 'the last sweep stays what it found');
});

test('during the first sweep, userListed answers for a user once a page lists it, before the last page', async () => {
  listing.users = names(450, 'user-');
  const release = holdUserPage(400);
  const sweep = snapshot.sweep();
  await snapshot.userListed('user-0');
  assert.deepEqual(snapshot.user('user-0'), userOf('user-0'));
  await snapshot.userListed('user-399');
  assert.ok(snapshot.hasUser('user-399'), 'the second page is in the picture too');
  assert.equal(await settled(sweep), false, 'while the last page is still held');

  const last = snapshot.userListed('user-449');
  const absent = snapshot.userListed('nobody');
  assert.equal(await settled(last), false, 'a user of the held page waits for it');
  assert.equal(await settled(absent), false, 'a name no page lists waits for the whole sweep');
  release();
  await Promise.all([last, absent, sweep]);
  assert.ok(snapshot.hasUser('user-449'));
  assert.equal(snapshot.user('nobody'), undefined, 'absent, as the whole sweep tells');
  assert.equal(listRequests('users').length, 3, 'the callers shared the one sweep');
});

test('ready() still waits for the whole first sweep while userListed has answered', async () => {
  listing.users = names(450, 'user-');
  const release = holdUserPage(400);
  const ready = snapshot.ready();
  await snapshot.userListed('user-0');
  assert.equal(await settled(ready), false);
  release();
  await ready;
});

test('userListed fails with the first sweep for a name no page listed, and answers for one a page did', async () => {
  listing.users = names(450, 'user-');
  refuse = (req) => req.url.startsWith('/hub/api/users?offset=400&');
  const listed = snapshot.userListed('user-0');
  const unlisted = snapshot.userListed('user-449');
  await listed;
  await assert.rejects(unlisted, 'absence is not concluded from a failed sweep');
  assert.equal(snapshot.hasUser('user-449'), false);

  refuse = undefined;
  await snapshot.userListed('user-449');
  assert.ok(snapshot.hasUser('user-449'), 'the next caller sweeps again');
});

test('a user forgotten during the first sweep is not brought back by a page that lists it', async () => {
  listing.users = names(450, 'user-');
  const release = holdUserPage(400);
  const sweep = snapshot.sweep();
  await firstUserPageAsked();
  snapshot.forgetUser('user-449');
  snapshot.recordUser(userOf('user-448', true));
  const forgotten = snapshot.userListed('user-449');
  await snapshot.userListed('user-448');
  release();
  await Promise.all([forgotten, sweep]);
  assert.equal(snapshot.hasUser('user-449'), false);
  assert.deepEqual(snapshot.user('user-448'), userOf('user-448', true), 'the write wins');
});

test('after the first sweep, userListed sends nothing and a later sweep changes the picture only when it ends', async () => {
  listing.users = ['ada'];
  await snapshot.sweep();
  listing.users = ['ada', 'bob'];
  const release = holdUserPage(0);
  const sweep = snapshot.sweep();
  await firstUserPageAsked();
  await snapshot.userListed('bob');
  assert.equal(snapshot.hasUser('bob'), false, 'the completed sweep’s picture answers');
  release();
  await sweep;
  assert.ok(snapshot.hasUser('bob'));
  assert.equal(listRequests('users').length, 2);
});
