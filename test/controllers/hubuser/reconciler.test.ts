// When the HubUser reconciler records who owns a hub user: before it asks the hub to create
// one, so that a crash between the hub's answer and the status write cannot turn the operator's
// own user into an adopted one (which an unset deletionPolicy would then Retain); and that the
// read confirming a user left deleted keeps the round's priority.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubUser } from '../../../src/api/hubuser.ts';
import { usernameOf } from '../../../src/api/hubuser.ts';
import { HubUserReconciler } from '../../../src/controllers/hubuser/reconciler.ts';
import { NameClaims } from '../../../src/controllers/runtime/name-claims.ts';
import type { ReconcileContext } from '../../../src/controllers/runtime/reconciler.ts';
import { Hub } from '../../../src/hub/hub.ts';
import { FaultHub, json, type SeenRequest } from '../../support/fault-hub.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { everyNamespace, singleHub } from '../../support/hubs.ts';
import { silentLogger } from '../../support/logs.ts';

let fault: FaultHub;
let reconciler: HubUserReconciler;
/** What the reconciler claimed, and how many hub writes had been sent by then. */
let claimed: { annotations: Readonly<Record<string, string>>; writesBefore: number }[];

before(async () => {
  fault = await FaultHub.start();
});
after(() => fault.stop());
beforeEach(() => {
  fault.seen.length = 0;
  claimed = [];
  const clock = new ManualClock('instant');
  const hub = new Hub({ baseUrl: fault.url, token: 't', clock, logger: silentLogger });
  reconciler = new HubUserReconciler({
    hubs: singleHub(hub, clock).hubs,
    claims: new NameClaims<HubUser>(usernameOf, () => {}),
  });
});

const context: ReconcileContext = {
  logger: silentLogger,
  priority: 'interactive',
  markManaged: (annotations) => {
    claimed.push({ annotations, writesBefore: fault.seen.filter(isWrite).length });
    return Promise.resolve();
  },
};

function isWrite(req: SeenRequest): boolean {
  return req.method !== 'GET';
}

/**
 * A hub whose user list holds `existing`, and whose bulk create creates what it is asked. Users
 * in `unlisted` exist too, but the sweep's pages skip them (as offset pages do while users are
 * deleted): only a create (409) or a read of the user finds them.
 */
function hubWith(existing: string[], unlisted: string[] = []): void {
  const user = (name: string) => ({ name, admin: false, servers: {} });
  fault.otherwise((req, res) => {
    if (req.method === 'GET' && /^\/hub\/api\/(users|groups)\?/.test(req.url)) {
      const items = req.url.startsWith('/hub/api/users') ? existing.map(user) : [];
      const page = { offset: 0, limit: 200, total: items.length, next: null };
      return json(res, 200, { items, _pagination: page });
    }
    const one = /^\/hub\/api\/users\/([^/?]+)$/.exec(req.url)?.[1];
    if (req.method === 'GET' && one !== undefined && [...existing, ...unlisted].includes(one))
      return json(res, 200, user(one));
    if (req.method === 'POST' && req.url === '/hub/api/users') {
      const { usernames } = JSON.parse(req.body) as { usernames: string[] };
      const fresh = usernames.filter(
        (name) => !existing.includes(name) && !unlisted.includes(name),
      );
      if (fresh.length === 0) return json(res, 409, { status: 409, message: 'All users exist' });
      return json(res, 201, fresh.map(user));
    }
    if (req.url === '/hub/api/') return json(res, 200, { version: '6.1.1' });
    return json(res, 404, { status: 404, message: 'Not Found' });
  });
}

function hubUser(status?: HubUser['status'], annotations?: Record<string, string>): HubUser {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: {
      name: 'ada',
      namespace: 'ns',
      generation: 1,
      uid: 'u-1',
      ...(annotations ? { annotations } : {}),
    },
    spec: { admin: false },
    ...(status ? { status } : {}),
  };
}

test('the ownership of a user about to be created is claimed before the create is sent', async () => {
  hubWith([]);
  const outcome = await reconciler.reconcile(hubUser(), context);
  assert.deepEqual(claimed, [
    { annotations: { 'hubops.io/ownership': 'Created' }, writesBefore: 0 },
  ]);
  assert.equal(fault.seen.filter(isWrite).length, 1, 'then one bulk create');
  assert.equal(outcome.fields['ownership'], 'Created');
});

test('after a crash between the create and the status write, the user is still its own', async () => {
  // The restarted operator finds the user in the hub, no status, and the claim's annotation.
  hubWith(['ada']);
  const outcome = await reconciler.reconcile(
    hubUser(undefined, { 'hubops.io/ownership': 'Created' }),
    context,
  );
  assert.equal(outcome.fields['ownership'], 'Created');
  assert.deepEqual(claimed, [], 'nothing to claim again');
  assert.equal(fault.seen.filter(isWrite).length, 0, 'and nothing to create');
});

test('a user the sweep missed, found by the create, is its own when its claim recorded Created', async () => {
  // Claimed as Created, then a crash after the hub's create; the new sweep skipped it.
  hubWith([], ['ada']);
  const outcome = await reconciler.reconcile(
    hubUser(undefined, { 'hubops.io/ownership': 'Created' }),
    context,
  );
  assert.equal(fault.seen.filter(isWrite).length, 1, 'the create that found it');
  assert.equal(outcome.fields['ownership'], 'Created');
});

test('a user made by someone else after the sweep, found by the create, is adopted', async () => {
  hubWith([], ['ada']);
  const outcome = await reconciler.reconcile(hubUser(), context);
  assert.equal(fault.seen.filter(isWrite).length, 1, 'the create that found it');
  assert.equal(outcome.fields['ownership'], 'Adopted');
});

test('a user that existed before the operator is adopted, and nothing is claimed ahead', async () => {
  hubWith(['ada']);
  const outcome = await reconciler.reconcile(hubUser(), context);
  assert.equal(outcome.fields['ownership'], 'Adopted');
  assert.deepEqual(claimed, []);
});

test('an ownership annotation someone wrote does not let a namespace that may not adopt take a user over', async () => {
  hubWith(['ada']);
  const strict = new HubUserReconciler({
    hubs: singleHub(
      new Hub({
        baseUrl: fault.url,
        token: 't',
        clock: new ManualClock('instant'),
        logger: silentLogger,
      }),
      new ManualClock('instant'),
      {
        ...everyNamespace,
        adoption: { names: new Set(['jhub']) },
      },
    ).hubs,
    claims: new NameClaims<HubUser>(usernameOf, () => {}),
  });
  const forged = {
    ...hubUser(undefined, { 'hubops.io/ownership': 'Created' }),
    spec: { admin: true, deletionPolicy: 'Delete' as const },
  };
  const outcome = await strict.reconcile(forged, context);
  assert.equal(outcome.conditions[0]?.reason, 'AdoptionNotAllowed');
  await strict.cleanup(forged, context);
  assert.deepEqual(
    fault.seen.filter(isWrite).map((r) => `${r.method} ${r.url}`),
    [],
    'no hub write',
  );
});

test('the read confirming a user left deleted goes at the round’s priority', async () => {
  hubWith([]);
  const clock = new ManualClock('instant');
  const hub = new Hub({ baseUrl: fault.url, token: 't', clock, logger: silentLogger });
  const priorities: unknown[] = [];
  const get = hub.users.get.bind(hub.users);
  hub.users.get = (name, options) => {
    priorities.push(options?.priority);
    return get(name, options);
  };
  const respecting = new HubUserReconciler({
    hubs: singleHub(hub, clock).hubs,
    claims: new NameClaims<HubUser>(usernameOf, () => {}),
  });
  // Ready for this spec said the user was as declared; the hub no longer has it.
  const asDeclared = {
    ...hubUser({
      ownership: 'Created',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Created',
          message: 'hub user ada is as the spec says',
          observedGeneration: 1,
          lastTransitionTime: '2026-12-06T00:00:00Z',
        },
      ],
    }),
    spec: { admin: false, whenDeletedInHub: 'Respect' as const },
  };
  const outcome = await respecting.reconcile(asDeclared, { ...context, priority: 'background' });
  assert.equal(outcome.conditions[0]?.reason, 'DeletedInHub');
  assert.deepEqual(priorities, ['background']);
  assert.equal(fault.seen.filter(isWrite).length, 0, 'nothing re-created');
});
