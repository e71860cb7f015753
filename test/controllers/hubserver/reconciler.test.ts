// The HubServer reconciler against a hub that refuses starts (the in-process fault hub): what
// each refusal reads like in status, and when the key comes back.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubServer } from '../../../src/api/hubserver.ts';
import { HubServerReconciler } from '../../../src/controllers/hubserver/reconciler.ts';
import { Hub } from '../../../src/hub/hub.ts';
import { FaultHub, hubError, json, type Responder } from '../../support/fault-hub.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { singleHub } from '../../support/hubs.ts';
import { silentLogger } from '../../support/logs.ts';
import type { ReconcileContext } from '../../../src/controllers/runtime/reconciler.ts';

/** What the reconciler claimed ahead of its hub calls. */
const claimed: Readonly<Record<string, string>>[] = [];

/** A reconcile for an edit someone waits on. */
const asUser: ReconcileContext = {
  logger: silentLogger,
  priority: 'interactive',
  markManaged: (annotations) => {
    claimed.push(annotations);
    return Promise.resolve();
  },
};

let fault: FaultHub;
let hub: Hub;
let reconciler: HubServerReconciler;

before(async () => {
  fault = await FaultHub.start();
});
after(() => fault.stop());
beforeEach(() => {
  fault.seen.length = 0;
  hub = new Hub({
    baseUrl: fault.url,
    token: 't',
    clock: new ManualClock('instant'),
    logger: silentLogger,
  });
  reconciler = new HubServerReconciler({
    hubs: singleHub(hub, new ManualClock('instant')).hubs,
    hubUsers: { owns: () => true, ownershipPending: () => false },
  });
});

/** A hub with one user (listed, and read alone) and no active server, whose start answers with `start`. */
function hubWhoseStartAnswers(start: Responder): Responder {
  return (req, res) => {
    if (req.url === '/hub/api/') return json(res, 200, { version: '6.1.1' });
    const ada = { name: 'ada', admin: false, servers: {} };
    if (req.method === 'GET' && req.url.startsWith('/hub/api/users/ada'))
      return json(res, 200, ada);
    if (req.method === 'GET' && /^\/hub\/api\/(users|groups)\?/.test(req.url)) {
      const items = req.url.startsWith('/hub/api/users') ? [ada] : [];
      const page = { offset: 0, limit: 200, total: items.length, next: null };
      return json(res, 200, { items, _pagination: page });
    }
    if (req.method === 'POST') return start(req, res);
    return json(res, 404, { status: 404, message: 'Not Found' });
  };
}

function server(spec: Partial<HubServer['spec']> = {}): HubServer {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubServer',
    metadata: { name: 's', namespace: 'ns', generation: 1 },
    spec: { username: 'ada', serverName: 'lab', state: 'Running', keepRunning: false, ...spec },
  };
}

test("the hub's spawn limit (429) is waited out for its Retry-After, as Pending, not as an error", async () => {
  fault.otherwise(
    hubWhoseStartAnswers(
      hubError(429, 'Too many users trying to log in right now.', { 'retry-after': '45' }),
    ),
  );
  claimed.length = 0;
  const outcome = await reconciler.reconcile(server(), asUser);
  assert.equal(outcome.fields['phase'], 'Pending');
  assert.equal(outcome.fields['startedGeneration'], undefined, 'not counted as a start');
  assert.deepEqual(
    claimed,
    [{ 'hubops.io/ownership': 'Created' }],
    'ownership claimed before the start',
  );
  assert.deepEqual(
    outcome.conditions.map((c) => [c.type, c.status, c.reason]),
    [
      ['Ready', 'False', 'SpawnThrottled'],
      ['Synced', 'True', 'SpawnThrottled'],
    ],
  );
  assert.equal(outcome.requeueAfterMs, 45_000);
  assert.equal(
    fault.seen.filter((r) => r.method === 'POST').length,
    1,
    'one start, not a retry storm',
  );
});

test('named servers disabled and the per-user limit are reported, not retried', async () => {
  fault.otherwise(hubWhoseStartAnswers(hubError(400, 'Named servers are not enabled.')));
  const disabled = await reconciler.reconcile(server(), asUser);
  assert.equal(disabled.conditions[0]?.reason, 'NamedServersDisabled');
  assert.equal(disabled.requeueAfterMs, undefined);

  fault.otherwise(
    hubWhoseStartAnswers(
      hubError(
        400,
        'User ada already has the maximum of 2 named servers.  One must be deleted before a new server can be created',
      ),
    ),
  );
  const limited = await reconciler.reconcile(server(), asUser);
  assert.equal(limited.conditions[0]?.reason, 'NamedServerLimit');
  assert.match(String(limited.fields['message']), /maximum of 2 named servers/);
  assert.equal(limited.requeueAfterMs, undefined);
});

test('a spawner failure is Failed, and retried later only with keepRunning', async () => {
  fault.otherwise(hubWhoseStartAnswers(hubError(500, 'Spawner failed to start [status=3]')));
  const once = await reconciler.reconcile(server(), asUser);
  assert.equal(once.fields['phase'], 'Failed');
  assert.equal(once.conditions[0]?.reason, 'SpawnFailed');
  assert.equal(once.requeueAfterMs, undefined);
  const kept = await reconciler.reconcile(server({ keepRunning: true }), asUser);
  assert.equal(kept.requeueAfterMs, 30_000, 'a crashing spawner is not hammered');
});

test('a server someone else started after the snapshot was read is adopted, not counted as ours', async () => {
  const running = {
    name: 'lab',
    ready: true,
    pending: null,
    url: '/user/ada/lab/',
    started: '2026-12-01T00:00:00.000000Z',
    last_activity: '2026-12-01T00:00:00.000000Z',
  };
  fault.otherwise((req, res) => {
    if (req.method === 'GET' && req.url.startsWith('/hub/api/users/ada'))
      return json(res, 200, { name: 'ada', admin: false, servers: { lab: running } });
    return hubWhoseStartAnswers(hubError(400, "ada's server lab is already running"))(req, res);
  });
  const outcome = await reconciler.reconcile(server(), asUser);
  assert.equal(outcome.fields['phase'], 'Running');
  assert.equal(outcome.fields['ownership'], 'Adopted', 'deleting the resource leaves it running');
  assert.deepEqual(
    claimed.slice(-2),
    [{ 'hubops.io/ownership': 'Created' }, { 'hubops.io/ownership': 'Adopted' }],
    'the annotation claimed ahead of the start is corrected: a retry without status reads it',
  );
  assert.equal(outcome.fields['url'], '/user/ada/lab/');
  assert.equal(outcome.conditions[0]?.reason, 'Adopted');
  assert.deepEqual(
    outcome.events?.map((e) => e.reason),
    ['Adopted'],
  );
  assert.deepEqual(
    fault.seen.filter((r) => r.url.startsWith('/hub/api/users/ada')).map((r) => r.method),
    ['POST', 'GET'],
    'the snapshot, not a read of its own, said the server was not running; one read after',
  );
});

test('a start that the hub answers as already running keeps an ownership already on record', async () => {
  fault.otherwise(hubWhoseStartAnswers(hubError(400, "ada's server lab is already running")));
  const object = server();
  const outcome = await reconciler.reconcile(
    { ...object, status: { ownership: 'Created', observedGeneration: 0 } },
    asUser,
  );
  assert.equal(outcome.fields['ownership'], 'Created');
  assert.equal(outcome.conditions[0]?.reason, 'Running');
});

test('a start the hub finds already spawning is followed as Starting, not as a stop', async () => {
  fault.otherwise(hubWhoseStartAnswers(hubError(400, "ada's server lab is pending spawn")));
  const outcome = await reconciler.reconcile(server(), asUser);
  assert.equal(outcome.fields['phase'], 'Pending');
  assert.equal(outcome.conditions[0]?.reason, 'Starting');
  assert.equal(outcome.requeueAfterMs, 2_000);
});

test('a user deleted since the snapshot was read is waited for, not retried as an error', async () => {
  fault.otherwise(hubWhoseStartAnswers(hubError(404, 'Not Found')));
  const outcome = await reconciler.reconcile(server(), asUser);
  assert.equal(outcome.conditions[0]?.reason, 'UserMissing');
  assert.equal(outcome.requeueAfterMs, 5_000);
  fault.seen.length = 0;
  await reconciler.reconcile(server(), asUser);
  assert.ok(
    fault.seen.some((r) => r.method === 'GET' && r.url === '/hub/api/users/ada'),
    'the next round reads the user afresh instead of trusting the snapshot',
  );
});
