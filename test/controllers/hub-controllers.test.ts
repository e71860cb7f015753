// The triggers of one hub's controllers as `kind.build` wires them: the three kinds built over
// in-memory caches, a never-contacted hub and API server, and a manual clock; changes are emitted
// on the caches (or users recorded in the snapshot) and each controller's queue read.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubGroup } from '../../src/api/hubgroup.ts';
import type { HubServer } from '../../src/api/hubserver.ts';
import type { HubToken } from '../../src/api/hubtoken.ts';
import type { HubUser } from '../../src/api/hubuser.ts';
import type { DeclaringKind, ObjectMeta } from '../../src/api/meta.ts';
import { hubGroupKind } from '../../src/controllers/hubgroup/kind.ts';
import { hubServerKind } from '../../src/controllers/hubserver/kind.ts';
import { HubUserIndex } from '../../src/controllers/hubuser/hubuser-index.ts';
import { hubUserKind } from '../../src/controllers/hubuser/kind.ts';
import type { Controller, ControllerDeps } from '../../src/controllers/runtime/controller.ts';
import type { HubEnvironment, KindObjects } from '../../src/controllers/runtime/hub-kind.ts';
import { groupWakeDelayMs } from '../../src/controllers/runtime/timings.ts';
import { Hub } from '../../src/hub/hub.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import type { Informer } from '../../src/kube/informer.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import type { SecretObject } from '../../src/kube/secrets.ts';
import type { WorkQueue } from '../../src/kube/queue.ts';
import { OperatorMetrics } from '../../src/metrics.ts';
import { FakeInformer } from '../support/fake-informer.ts';
import { singleHub } from '../support/hubs.ts';
import { silentLogger } from '../support/logs.ts';
import { ManualClock } from '../support/manual-clock.ts';

/** Nothing listens there: the hub and the API server are never called. */
const unused = 'http://127.0.0.1:9';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

/** The three controllers of one hub over in-memory caches, as hub-controllers.ts builds them. */
function built() {
  const clock = new ManualClock('manual');
  const caches = {
    HubUser: new FakeInformer<HubUser>(),
    HubGroup: new FakeInformer<HubGroup>(),
    HubServer: new FakeInformer<HubServer>(),
    HubToken: new FakeInformer<HubToken>(),
  };
  const hub = new Hub({ baseUrl: `${unused}/hub/api`, token: 't', clock, logger: silentLogger });
  const kube = new KubeClient({
    server: unused,
    ca: undefined,
    cert: undefined,
    key: undefined,
    insecureSkipTlsVerify: false,
    tlsServerName: undefined,
    authorization: () => undefined,
  });
  closers.push(
    () => hub.close(),
    () => kube.close(),
  );
  const { hubs, unit } = singleHub(hub, clock);
  const { snapshot } = unit;
  const env: HubEnvironment = {
    hubs,
    // The Runner reads only onChange, get, list, isSynced and remember (RunnerDeps).
    informers: caches as unknown as { [K in DeclaringKind]: Informer<KindObjects[K]> },
    hubUsers: new HubUserIndex(caches.HubUser, (user) => hubs.keyOf(user)),
    tokenSecrets: new FakeInformer<SecretObject>() as unknown as Informer<SecretObject>,
  };
  const deps: ControllerDeps = {
    kube,
    namespace: '',
    clock,
    logger: silentLogger,
    metrics: new OperatorMetrics(),
    events: new EventRecorder(
      kube,
      { controller: 'hubops.io/test', instance: 'test' },
      { clock, logger: silentLogger },
    ),
  };
  const [users, groups, servers] = [hubUserKind, hubGroupKind, hubServerKind].map((kind) =>
    kind.build(env, deps),
  ) as [Controller, Controller, Controller];
  assert.deepEqual(
    [users, groups, servers].map((c) => c.kind.kind),
    ['HubUser', 'HubGroup', 'HubServer'],
  );
  return { clock, caches, snapshot, queues: { users, groups, servers } };
}

/** The keys queued now, taken and handed back as a worker would; sorted. */
function drain(controller: { queue: WorkQueue }): string[] {
  const keys: string[] = [];
  for (let key = controller.queue.tryGet(); key !== undefined; key = controller.queue.tryGet()) {
    keys.push(key);
    controller.queue.done(key);
  }
  return keys.sort();
}

function drainAll(queues: Record<string, { queue: WorkQueue }>): void {
  for (const controller of Object.values(queues)) drain(controller);
}

function meta(name: string, more: Partial<ObjectMeta> = {}): ObjectMeta {
  return { namespace: 'team', name, generation: 1, ...more };
}

function hubUser(
  name: string,
  spec: Partial<HubUser['spec']> = {},
  more: Partial<ObjectMeta> = {},
) {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: meta(name, more),
    spec: { admin: false, ...spec },
  } satisfies HubUser;
}

function hubGroup(name: string, spec: Partial<HubGroup['spec']>): HubGroup {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubGroup',
    metadata: meta(name),
    spec: { membershipPolicy: 'Exact', ...spec },
  };
}

function hubServer(name: string, username: string): HubServer {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubServer',
    metadata: meta(name),
    spec: { username, serverName: '', state: 'Running', keepRunning: false },
  };
}

test('each kind’s own change queues its own key, in its own queue', () => {
  const { caches, queues } = built();
  caches.HubGroup.emit('added', hubGroup('staff', { members: ['ada'] }));
  caches.HubServer.emit('added', hubServer('ada-lab', 'ada'));
  caches.HubUser.emit('added', hubUser('grace'));
  assert.deepEqual(drain(queues.users), ['team/grace']);
  assert.deepEqual(drain(queues.groups), ['team/staff']);
  assert.deepEqual(drain(queues.servers), ['team/ada-lab']);
});

test('a HubUser relabelled into a group’s memberSelector wakes that group after the group wake delay', async () => {
  const { caches, queues, clock } = built();
  caches.HubGroup.emit(
    'added',
    hubGroup('ml', { memberSelector: { matchLabels: { course: 'ml' } } }),
  );
  caches.HubUser.emit('added', hubUser('cy', {}, { labels: { course: 'db' } }));
  drainAll(queues);
  await clock.advance(groupWakeDelayMs);
  assert.deepEqual(drain(queues.groups), [], 'a HubUser the selector does not match');

  caches.HubUser.emit('updated', hubUser('cy', {}, { labels: { course: 'ml' } }));
  assert.equal(queues.groups.queue.stats().delayed, 1);
  await clock.advance(groupWakeDelayMs - 1);
  assert.deepEqual(drain(queues.groups), [], 'not before the delay');
  await clock.advance(1);
  assert.deepEqual(drain(queues.groups), ['team/ml']);
});

test('a HubUser’s status-only update wakes no HubServer of its username; a spec change does', () => {
  const { caches, queues } = built();
  caches.HubServer.emit('added', hubServer('ada-lab', 'ada'));
  const metadata = { finalizers: ['hubops.io/cleanup'], labels: { course: 'ml' } };
  caches.HubUser.emit('added', hubUser('ada', {}, { ...metadata, resourceVersion: '1' }));
  drainAll(queues);

  caches.HubUser.emit('updated', {
    ...hubUser('ada', {}, { ...metadata, resourceVersion: '2' }),
    status: { observedGeneration: 1, username: 'ada', ownership: 'Created' },
  });
  assert.deepEqual(drain(queues.servers), [], 'a status write');
  // Outside a visit of its own it was another writer's: the HubUser alone is looked at again.
  assert.deepEqual(drain(queues.users), ['team/ada']);

  caches.HubUser.emit(
    'updated',
    hubUser('ada', { admin: true }, { ...metadata, generation: 2, resourceVersion: '3' }),
  );
  assert.deepEqual(drain(queues.servers), ['team/ada-lab']);
});

test('a hub user appearing in the snapshot wakes the HubServers of that username', () => {
  const { caches, queues, snapshot } = built();
  caches.HubServer.emit('added', hubServer('ada-lab', 'ada'));
  caches.HubServer.emit('added', hubServer('ada-gpu', 'ada'));
  caches.HubServer.emit('added', hubServer('bob-lab', 'bob'));
  drainAll(queues);

  snapshot.recordUser({ name: 'ada', admin: false });
  assert.deepEqual(drain(queues.servers), ['team/ada-gpu', 'team/ada-lab']);
});

test('when the HubUser holding a username is deleted, the oldest other claimant is queued', () => {
  const { caches, queues } = built();
  // Neither the first name nor the first seen: the next holder is the older claim.
  const claimant = (name: string, created: string) =>
    hubUser(name, { username: 'ada' }, { creationTimestamp: created });
  const holder = claimant('ada-m', '2026-01-01T00:00:00Z');
  caches.HubUser.emit('added', holder);
  caches.HubUser.emit('added', claimant('ada-a', '2026-03-01T00:00:00Z'));
  caches.HubUser.emit('added', claimant('ada-z', '2026-02-01T00:00:00Z'));
  drainAll(queues);

  caches.HubUser.emit('deleted', holder);
  // The deleted key itself is queued too (its round finds it gone from the cache).
  assert.deepEqual(drain(queues.users), ['team/ada-m', 'team/ada-z']);
});
