// The shared Runner over in-memory stand-ins for its cache, status writer, finalizers and
// Events, with a real WorkQueue on a manual clock: what queues a key and at which priority, what
// a round persists, how failures and invalid specs come back (or not), and deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { finalizerName } from '../../../src/api/annotations.ts';
import { hubUserSpecSchema, type HubUser } from '../../../src/api/hubuser.ts';
import { kinds } from '../../../src/api/meta.ts';
import type {
  ConditionStatement,
  Outcome,
  ReconcileContext,
  Reconciler,
} from '../../../src/controllers/runtime/reconciler.ts';
import { reasonFor } from '../../../src/controllers/runtime/reasons.ts';
import { StaleSnapshot } from '../../../src/controllers/runtime/replanning.ts';
import { Runner, type RoundResult } from '../../../src/controllers/runtime/runner.ts';
import { OperatorError } from '../../../src/errors.ts';
import type { EventNote, Regarding } from '../../../src/kube/events.ts';
import { WorkQueue } from '../../../src/kube/queue.ts';
import type { ObjectIdentity } from '../../../src/kube/resource.ts';
import type { Status } from '../../../src/kube/status.ts';
import { FakeInformer } from '../../support/fake-informer.ts';
import { silentLogger } from '../../support/logs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

/** A FakeInformer with what the Runner also reads: the whole cache, isSynced, and remember. */
/** The runner's cache; the first list not yet done. */
class Cache extends FakeInformer<HubUser> {
  override isSynced = false;
}

/** Records each status write; answers like the API server, with the new status. */
class StatusRecorder {
  readonly writes: { object: ObjectIdentity; current: Status | undefined; next: Status }[] = [];

  write<T extends ObjectIdentity>(object: T, current: Status | undefined, next: Status) {
    this.writes.push({ object, current, next });
    return Promise.resolve({ ...object, status: next } as T);
  }

  /** The conditions of the last write, by type: status, reason and message. */
  lastConditions(): Record<string, { status: string; reason: string; message: string }> {
    const last = this.writes.at(-1);
    assert.ok(last, 'a status write');
    const conditions = last.next['conditions'] as {
      type: string;
      status: string;
      reason: string;
      message: string;
    }[];
    return Object.fromEntries(
      conditions.map(({ type, status, reason, message }) => [type, { status, reason, message }]),
    );
  }
}

/** Finalizers over the object itself: records ensure and remove, and answers with the result. */
class FinalizerRecorder {
  readonly ensured: { object: ObjectIdentity; annotations: Record<string, string> }[] = [];
  readonly removed: ObjectIdentity[] = [];

  has(object: ObjectIdentity): boolean {
    return object.metadata?.finalizers?.includes(finalizerName) ?? false;
  }

  ensure<T extends ObjectIdentity>(object: T, annotations: Readonly<Record<string, string>>) {
    this.ensured.push({ object, annotations: { ...annotations } });
    const present = object.metadata?.annotations ?? {};
    const missing = Object.entries(annotations).some(([key, value]) => present[key] !== value);
    if (this.has(object) && !missing) return Promise.resolve(object);
    return Promise.resolve({
      ...object,
      metadata: {
        ...object.metadata,
        finalizers: [...(object.metadata?.finalizers ?? []), finalizerName],
        annotations: { ...present, ...annotations },
      },
    } as T);
  }

  remove<T extends ObjectIdentity>(object: T) {
    this.removed.push(object);
    return Promise.resolve(object);
  }
}

class EventLog {
  readonly recorded: { regarding: Regarding; event: EventNote }[] = [];

  record(regarding: Regarding, event: EventNote): Promise<void> {
    this.recorded.push({ regarding, event });
    return Promise.resolve();
  }
}

/** A retryable failure, as a hub outage is. */
class HubDown extends OperatorError {
  readonly code = 'HUB_UNAVAILABLE';
  readonly retryable = true;
}

/** A failure trying again cannot fix: the hub refused the request as invalid. */
class Refused extends OperatorError {
  readonly code = 'HUB_INVALID';
  readonly retryable = false;
}

/** A failure that carries the hub's Retry-After. */
class SlowDown extends OperatorError {
  readonly code = 'HUB_RATE_LIMITED';
  readonly retryable = true;
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('POST /users: 429 slow down');
    this.retryAfterMs = retryAfterMs;
  }
}

const key = 'team/ada';
const settled: ConditionStatement[] = [
  { type: 'Ready', status: 'True', reason: 'UpToDate', message: 'the hub user matches' },
  { type: 'Synced', status: 'True', reason: 'UpToDate', message: 'the hub user matches' },
];

function hubUser(
  spec: Record<string, unknown> = { admin: false },
  metadata: Partial<HubUser['metadata']> = {},
): HubUser {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: { namespace: 'team', name: 'ada', uid: 'uid-ada', generation: 1, ...metadata },
    spec: spec as HubUser['spec'],
  };
}

/**
 * A Runner over stand-ins. `reconcile` and `cleanup` are scripted per test (settled and no
 * Events unless set); the objects they are called with are kept in `calls`.
 */
function setup(options: { specSchema?: z.ZodType } = {}) {
  const clock = new ManualClock('manual');
  // random 1: the backoff after a first failure is exactly its 1 s base.
  const queue = new WorkQueue({ clock, random: () => 1 });
  const informer = new Cache();
  const status = new StatusRecorder();
  const finalizers = new FinalizerRecorder();
  const events = new EventLog();
  const rounds: RoundResult[] = [];
  const calls = { reconcile: [] as HubUser[], cleanup: [] as HubUser[] };
  const script = {
    reconcile: (_object: HubUser, _context: ReconcileContext): Promise<Outcome> =>
      Promise.resolve({ fields: {}, conditions: settled }),
    cleanup: (_object: HubUser, _context: ReconcileContext): Promise<readonly EventNote[]> =>
      Promise.resolve([]),
  };
  const reconciler: Reconciler<HubUser> = {
    kind: kinds.HubUser,
    specSchema: options.specSchema ?? hubUserSpecSchema,
    reconcile: (object, context) => {
      calls.reconcile.push(object);
      return script.reconcile(object, context);
    },
    cleanup: (object, context) => {
      calls.cleanup.push(object);
      return script.cleanup(object, context);
    },
  };
  const runner = new Runner<HubUser>({
    reconciler,
    informer,
    queue,
    status,
    finalizers,
    events,
    clock,
    logger: silentLogger,
    observer: { reconciled: (result) => void rounds.push(result) },
  });
  /** Takes the next key as a worker does, runs one round of it, and hands it back. */
  const round = async (expected = key): Promise<void> => {
    const taken = queue.tryGet();
    assert.equal(taken, expected, 'the key is queued for a worker');
    try {
      await runner.process(taken);
    } finally {
      queue.done(taken);
    }
  };
  /** The next queued key and the priority it was queued at (taken and handed back). */
  const next = (): { key: string; priority: string } | undefined => {
    const taken = queue.tryGet();
    if (taken === undefined) return undefined;
    const priority = queue.priorityOf(taken);
    queue.done(taken);
    return { key: taken, priority };
  };
  return {
    clock,
    queue,
    informer,
    status,
    finalizers,
    events,
    rounds,
    calls,
    script,
    runner,
    round,
    next,
  };
}

test('an object in the first list is queued as background work', () => {
  const { informer, next } = setup();
  informer.emit('added', hubUser());
  assert.deepEqual(next(), { key, priority: 'background' });
});

test('a change after the first list is queued as interactive work', () => {
  const { informer, next } = setup();
  informer.isSynced = true;
  informer.emit('added', hubUser());
  assert.deepEqual(next(), { key, priority: 'interactive' });
  informer.emit('updated', hubUser({ admin: true }, { generation: 2 }));
  assert.deepEqual(next(), { key, priority: 'interactive' });
});

test('the echo of its own status write during a visit queues nothing, while a label change does', async () => {
  const { informer, queue, script, round, next } = setup();
  informer.isSynced = true;
  const finalized = { finalizers: [finalizerName], labels: { course: 'ml' }, annotations: {} };
  informer.emit('added', hubUser({ admin: false }, finalized));
  script.reconcile = () => {
    // The watch can bring the write back before the API server's answer does.
    informer.emit('updated', {
      ...hubUser({ admin: false }, { ...finalized, resourceVersion: '7' }),
      status: { observedGeneration: 1, conditions: [] },
    });
    return Promise.resolve({ fields: {}, conditions: settled });
  };
  await round();
  assert.equal(queue.stats().queued, 0, 'the operator’s own status echo');
  informer.emit('updated', hubUser({ admin: false }, { ...finalized, labels: { course: 'db' } }));
  assert.deepEqual(next(), { key, priority: 'interactive' }, 'a label change is worth a round');
});

test('a status another writer changed queues the key as background work, so an untrue status does not stand until the resync', () => {
  const { informer, queue, next } = setup();
  informer.isSynced = true;
  const readyCondition = {
    type: 'Ready',
    status: 'True' as const,
    reason: 'Created',
    message: 'hub user ada is as the spec says',
    lastTransitionTime: '2026-12-06T00:00:00Z',
  };
  const ready: HubUser = {
    ...hubUser(),
    status: { observedGeneration: 1, conditions: [readyCondition] },
  };
  informer.emit('added', ready);
  next();
  informer.emit('updated', { ...ready, metadata: { ...ready.metadata, resourceVersion: '8' } });
  assert.equal(queue.stats().queued, 0, 'the same status: nothing to correct');
  informer.emit('updated', {
    ...ready,
    metadata: { ...ready.metadata, resourceVersion: '9' },
    status: {
      observedGeneration: 1,
      conditions: [{ ...readyCondition, status: 'False', reason: 'HubUnavailable' }],
    },
  });
  assert.deepEqual(next(), { key, priority: 'background' });
});

test('a successful round writes status with observedGeneration, records Events, adds the finalizer and forgets the key', async () => {
  const { informer, queue, status, finalizers, events, rounds, script, round, clock } = setup();
  informer.emit('added', hubUser({ admin: false }, { generation: 3 }));
  // A first round fails, so the queue counts a failure for the key.
  script.reconcile = () => Promise.reject(new HubDown('GET /users: connection refused'));
  await round();
  assert.equal(queue.failures(key), 1);
  await clock.advance(1_000);
  const created: EventNote = { type: 'Normal', reason: 'Created', action: 'Create', note: 'ada' };
  script.reconcile = () =>
    Promise.resolve({ fields: { username: 'ada' }, conditions: settled, events: [created] });
  status.writes.length = 0;
  events.recorded.length = 0;
  await round();

  assert.equal(status.writes.length, 1);
  const { next } = status.writes[0]!;
  assert.equal(next['observedGeneration'], 3);
  assert.equal(next['username'], 'ada');
  const conditions = next['conditions'] as {
    type: string;
    status: string;
    observedGeneration?: number;
  }[];
  assert.deepEqual(conditions.map((c) => [c.type, c.status, c.observedGeneration]).sort(), [
    ['Ready', 'True', 3],
    ['Synced', 'True', 3],
  ]);
  assert.deepEqual(
    events.recorded.map((r) => [r.regarding.name, r.regarding.uid, r.event]),
    [['ada', 'uid-ada', created]],
  );
  assert.deepEqual(
    finalizers.ensured.map((e) => e.annotations),
    [{}],
    'the finalizer goes on after a round that marked nothing',
  );
  assert.equal(queue.failures(key), 0, 'the key is forgotten');
  assert.deepEqual(queue.stats(), { queued: 0, processing: 0, delayed: 0 });
  assert.deepEqual(rounds, ['error', 'success']);
});

test('an observed object gets its status and no finalizer, whatever its round decided', async () => {
  const { informer, status, finalizers, script, round } = setup();
  informer.emit('added', hubUser({ admin: false, managementPolicy: 'Observe' }));
  script.reconcile = () => Promise.resolve({ fields: {}, conditions: settled });
  await round();
  assert.equal(status.writes.length, 1);
  assert.deepEqual(finalizers.ensured, []);
});

test('an outcome with requeueAfterMs comes back after that delay as background work', async () => {
  const { informer, queue, clock, script, round, next, rounds } = setup();
  informer.isSynced = true;
  informer.emit('added', hubUser());
  script.reconcile = () =>
    Promise.resolve({ fields: {}, conditions: settled, requeueAfterMs: 2_000 });
  await round();
  assert.deepEqual(rounds, ['requeue']);
  assert.deepEqual(queue.stats(), { queued: 0, processing: 0, delayed: 1 });
  await clock.advance(1_999);
  assert.equal(queue.stats().queued, 0, 'not before the delay');
  await clock.advance(1);
  assert.deepEqual(next(), { key, priority: 'background' });
});

test('a retryable failure writes Synced=False with its reason, a Warning Event, and backs off at the priority it had', async () => {
  const { informer, queue, clock, status, events, script, round, next, finalizers } = setup();
  informer.emit('added', hubUser({ admin: false }, { generation: 2 }));
  const err = new HubDown('GET /users: connection refused');
  script.reconcile = () => Promise.reject(err);
  await round();

  const expected = reasonFor(err);
  assert.equal(expected.reason, 'HubUnavailable');
  assert.deepEqual(status.lastConditions(), {
    Synced: { status: 'False', reason: 'HubUnavailable', message: expected.message },
  });
  assert.equal(status.writes.at(-1)?.next['observedGeneration'], 2);
  assert.deepEqual(
    events.recorded.map((r) => r.event),
    [{ type: 'Warning', reason: 'HubUnavailable', action: 'Reconcile', note: expected.message }],
  );
  assert.deepEqual(finalizers.ensured, [], 'nothing was marked');
  assert.equal(queue.failures(key), 1);
  assert.equal(queue.stats().delayed, 1);
  await clock.advance(999);
  assert.equal(queue.stats().queued, 0, 'backing off');
  await clock.advance(1);
  assert.deepEqual(next(), { key, priority: 'background' }, 'the priority it failed at');
});

test('a failure with retryAfterMs comes back after exactly that delay', async () => {
  const { informer, queue, clock, status, script, round, next } = setup();
  informer.isSynced = true;
  informer.emit('added', hubUser());
  script.reconcile = () => Promise.reject(new SlowDown(7_000));
  await round();
  assert.equal(status.lastConditions()['Synced']?.reason, 'RateLimited');
  assert.equal(queue.failures(key), 0, 'the hub said when: no backoff counted');
  await clock.advance(6_999);
  assert.equal(queue.stats().queued, 0);
  await clock.advance(1);
  assert.deepEqual(next(), { key, priority: 'interactive' });
});

test('a terminal failure is reported and does not come back', async () => {
  const { informer, queue, clock, status, events, script, round } = setup();
  informer.emit('added', hubUser());
  script.reconcile = () => Promise.reject(new Refused('POST /users: 400 bad name'));
  await round();
  assert.deepEqual(status.lastConditions(), {
    Synced: { status: 'False', reason: 'HubRejected', message: 'POST /users: 400 bad name' },
  });
  assert.equal(events.recorded.at(-1)?.event.type, 'Warning');
  assert.deepEqual(queue.stats(), { queued: 0, processing: 0, delayed: 0 });
  await clock.advance(3_600_000);
  assert.deepEqual(queue.stats(), { queued: 0, processing: 0, delayed: 0 });
});

test('a StaleSnapshot reads reason StaleSnapshot and is tried again', async () => {
  const { informer, queue, status, script, round } = setup();
  informer.emit('added', hubUser());
  script.reconcile = () => Promise.reject(new StaleSnapshot('user ada vanished'));
  await round();
  assert.deepEqual(status.lastConditions(), {
    Synced: { status: 'False', reason: 'StaleSnapshot', message: 'user ada vanished' },
  });
  assert.equal(queue.stats().delayed, 1);
});

for (const [what, spec, field] of [
  ['a non-boolean admin', { admin: 'yes' }, 'spec.admin: '],
  ['a username the schema refuses', { username: 'Ada Lovelace', admin: false }, 'spec.username: '],
] as const) {
  test(`an invalid spec (${what}) never reaches reconcile, reads InvalidSpec naming the field, and is not requeued`, async () => {
    const { informer, queue, clock, status, calls, round, rounds, finalizers } = setup();
    informer.emit('added', hubUser(spec, { generation: 4 }));
    await round();
    assert.deepEqual(calls.reconcile, []);
    const conditions = status.lastConditions();
    for (const type of ['Ready', 'Synced']) {
      assert.equal(conditions[type]?.status, 'False', type);
      assert.equal(conditions[type]?.reason, 'InvalidSpec', type);
      assert.ok(conditions[type]?.message.startsWith(field), conditions[type]?.message);
    }
    assert.equal(status.writes.at(-1)?.next['observedGeneration'], 4);
    assert.deepEqual(finalizers.ensured, []);
    assert.deepEqual(rounds, ['error']);
    await clock.advance(3_600_000);
    assert.deepEqual(queue.stats(), { queued: 0, processing: 0, delayed: 0 });
  });
}

test('the spec is checked once per cached version: not again while the object stands unchanged', async () => {
  let parses = 0;
  const counting = {
    safeParse: (value: unknown) => {
      parses += 1;
      return hubUserSpecSchema.safeParse(value);
    },
  } as unknown as z.ZodType;
  const { informer, runner, calls } = setup({ specSchema: counting });
  const declared = hubUser({ admin: false }, { generation: 1 });
  informer.emit('added', declared);
  await runner.process(key);
  assert.equal(parses, 1);
  // The fake's status write caches a new version at every round; give the first one back.
  informer.emit('updated', declared);
  await runner.process(key);
  assert.equal(calls.reconcile.length, 2);
  assert.equal(parses, 1, 'a version already checked is not checked again');
  await runner.process(key);
  assert.equal(parses, 2, 'the version its status write cached is another version');
  informer.emit('updated', hubUser({ admin: true }, { generation: 2 }));
  await runner.process(key);
  assert.equal(parses, 3, 'generation 2 is checked afresh');
});

test('a deleted object with our finalizer runs cleanup, records its Events and loses the finalizer', async () => {
  const { informer, finalizers, events, calls, script, round, status, queue } = setup();
  const deleted = hubUser(
    { admin: false },
    { deletionTimestamp: '2026-11-23T00:00:00Z', finalizers: [finalizerName] },
  );
  informer.emit('added', deleted);
  const gone: EventNote = { type: 'Normal', reason: 'Deleted', action: 'Delete', note: 'ada' };
  let removedDuringCleanup = -1;
  script.cleanup = () => {
    removedDuringCleanup = finalizers.removed.length;
    return Promise.resolve([gone]);
  };
  await round();
  assert.deepEqual(calls.cleanup, [deleted]);
  assert.deepEqual(calls.reconcile, []);
  assert.equal(removedDuringCleanup, 0, 'the finalizer stays until cleanup is done');
  assert.deepEqual(finalizers.removed, [deleted]);
  assert.deepEqual(
    events.recorded.map((r) => r.event),
    [gone],
  );
  assert.deepEqual(status.writes, [], 'no status on the way out');
  assert.deepEqual(queue.stats(), { queued: 0, processing: 0, delayed: 0 });
});

test('a deleted object without our finalizer is not cleaned up', async () => {
  const { informer, finalizers, calls, round, status } = setup();
  informer.emit(
    'added',
    hubUser({ admin: false }, { deletionTimestamp: '2026-11-23T00:00:00Z', finalizers: ['x/y'] }),
  );
  await round();
  assert.deepEqual(calls.cleanup, []);
  assert.deepEqual(calls.reconcile, []);
  assert.deepEqual(finalizers.removed, []);
  assert.deepEqual(finalizers.ensured, [], 'and no finalizer goes on');
  assert.deepEqual(status.writes, []);
});

test('a key whose object is gone from the cache is forgotten without a round', async () => {
  const { informer, queue, calls, rounds, status, runner } = setup();
  informer.emit('added', hubUser());
  informer.emit('deleted', hubUser());
  queue.addRateLimited(key);
  assert.equal(queue.failures(key), 1);
  await runner.process(key);
  assert.equal(queue.failures(key), 0, 'its backoff is forgotten');
  assert.deepEqual(calls.reconcile, []);
  assert.deepEqual(calls.cleanup, []);
  assert.deepEqual(rounds, [], 'no round was counted');
  assert.deepEqual(status.writes, []);
});

test('markManaged ensures the finalizer and the annotations on the cached object, and remembers the answer', async () => {
  const { informer, finalizers, script, round } = setup();
  informer.emit('added', hubUser());
  // The cache moved on during the round (another writer): markManaged marks what it holds now.
  const newer = hubUser({ admin: false }, { resourceVersion: '9', labels: { course: 'ml' } });
  script.reconcile = async (_object, context) => {
    informer.emit('updated', newer);
    await context.markManaged({ 'hubops.io/ownership': 'Created' });
    return { fields: {}, conditions: settled };
  };
  await round();
  const first = finalizers.ensured[0];
  assert.ok(first);
  assert.equal(first.object, newer, 'the object in the cache at the call');
  assert.deepEqual(first.annotations, { 'hubops.io/ownership': 'Created' });
  const marked = informer.remembered[0];
  assert.deepEqual(marked?.metadata.finalizers, [finalizerName]);
  assert.deepEqual(marked?.metadata.annotations, { 'hubops.io/ownership': 'Created' });
  // The runner's own ensure after the round starts from the marked object: nothing to add.
  assert.equal(finalizers.ensured[1]?.object, marked);
  assert.deepEqual(finalizers.ensured[1]?.annotations, {});
});
