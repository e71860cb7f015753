import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestBudget, type Release } from '../../src/hub/budget.ts';
import type { Priority } from '../../src/priority.ts';
import { ManualClock, flush } from '../support/manual-clock.ts';

/** Queues acquisitions and records the order in which they are granted. */
function recorder(budget: RequestBudget): {
  order: string[];
  releases: Map<string, Release>;
  ask: (name: string, priority: Priority) => void;
} {
  const order: string[] = [];
  const releases = new Map<string, Release>();
  const ask = (name: string, priority: Priority): void => {
    void budget.acquire(priority).then((release) => {
      order.push(name);
      releases.set(name, release);
    });
  };
  return { order, releases, ask };
}

test('never has more requests in flight than the cap', async () => {
  const budget = new RequestBudget(
    { maxInFlight: 2, ratePerSecond: 1000, burst: 100 },
    new ManualClock(),
  );
  const { order, releases, ask } = recorder(budget);
  for (const name of ['a', 'b', 'c', 'd']) ask(name, 'interactive');
  await flush();
  assert.deepEqual(order, ['a', 'b']);
  assert.deepEqual(budget.stats(), {
    inFlight: 2,
    spawnsInFlight: 0,
    waitingInteractive: 2,
    waitingBackground: 0,
  });
  releases.get('a')!();
  releases.get('a')!(); // a second release of the same slot changes nothing
  await flush();
  assert.deepEqual(order, ['a', 'b', 'c']);
  assert.equal(budget.stats().inFlight, 2);
});

test('server starts wait in a lane of their own, capped apart, and leave the hub lane free', async () => {
  const budget = new RequestBudget(
    { maxInFlight: 1, maxSpawnsInFlight: 3, ratePerSecond: 1000, burst: 100 },
    new ManualClock(),
  );
  const granted: string[] = [];
  const releases = new Map<string, Release>();
  const ask = (name: string, lane: 'hub' | 'spawn'): void => {
    void budget.acquire('interactive', undefined, lane).then((release) => {
      granted.push(name);
      releases.set(name, release);
    });
  };
  for (const name of ['s1', 's2', 's3', 's4']) ask(name, 'spawn');
  ask('read', 'hub');
  await flush();
  assert.deepEqual(granted, ['s1', 's2', 's3', 'read'], 'three starts in flight, and the read');
  assert.equal(budget.stats().spawnsInFlight, 3);
  releases.get('read')!();
  await flush();
  assert.deepEqual(granted, ['s1', 's2', 's3', 'read'], 'a hub slot does not serve a start');
  releases.get('s1')!();
  await flush();
  assert.deepEqual(granted, ['s1', 's2', 's3', 'read', 's4']);
});

test('server starts spend the shared rate like any request', async () => {
  const clock = new ManualClock();
  const budget = new RequestBudget(
    { maxInFlight: 10, maxSpawnsInFlight: 10, ratePerSecond: 10, burst: 2 },
    clock,
  );
  let granted = 0;
  for (let i = 0; i < 3; i++)
    void budget.acquire('interactive', undefined, 'spawn').then(() => granted++);
  void budget.acquire('interactive').then(() => granted++);
  await flush();
  assert.equal(granted, 2, 'the burst of two is shared by both lanes');
  await clock.advance(200);
  assert.equal(granted, 4);
});

test('paces requests to the rate once the burst is spent', async () => {
  const clock = new ManualClock();
  const budget = new RequestBudget({ maxInFlight: 100, ratePerSecond: 10, burst: 3 }, clock);
  const { order, releases, ask } = recorder(budget);
  for (let i = 0; i < 8; i++) ask(`r${i}`, 'interactive');
  await flush();
  assert.equal(order.length, 3, 'the burst goes at once');
  await clock.advance(100);
  assert.equal(order.length, 4, 'then one every 100 ms at 10 per second');
  await clock.advance(250);
  assert.equal(order.length, 6);
  for (const release of releases.values()) release();
  await clock.advance(1_000);
  assert.equal(order.length, 8);
});

test('user work goes ahead of background work that waited longer', async () => {
  const budget = new RequestBudget(
    { maxInFlight: 1, ratePerSecond: 1000, burst: 100, backgroundEvery: 100 },
    new ManualClock(),
  );
  const { order, releases, ask } = recorder(budget);
  ask('first', 'interactive');
  ask('sweep1', 'background');
  ask('sweep2', 'background');
  ask('edit1', 'interactive');
  ask('edit2', 'interactive');
  await flush();
  for (let i = 0; i < 5; i++) {
    releases.get(order.at(-1)!)!();
    await flush();
  }
  assert.deepEqual(order, ['first', 'edit1', 'edit2', 'sweep1', 'sweep2']);
});

test('background work keeps one grant in every backgroundEvery while users wait', async () => {
  const budget = new RequestBudget(
    { maxInFlight: 1, ratePerSecond: 1000, burst: 100, backgroundEvery: 3 },
    new ManualClock(),
  );
  const { order, releases, ask } = recorder(budget);
  ask('u0', 'interactive');
  for (let i = 1; i <= 6; i++) ask(`u${i}`, 'interactive');
  for (let i = 1; i <= 3; i++) ask(`b${i}`, 'background');
  await flush();
  for (let i = 0; i < 10; i++) {
    releases.get(order.at(-1)!)!();
    await flush();
  }
  assert.deepEqual(order, ['u0', 'u1', 'u2', 'b1', 'u3', 'u4', 'b2', 'u5', 'u6', 'b3']);
});

test('an aborted wait leaves the queue and is rejected with the reason', async () => {
  const budget = new RequestBudget(
    { maxInFlight: 1, ratePerSecond: 1000, burst: 100 },
    new ManualClock(),
  );
  const holder = await budget.acquire('interactive');
  const controller = new AbortController();
  const waiting = budget.acquire('background', controller.signal);
  controller.abort(new Error('shutting down'));
  await assert.rejects(waiting, /shutting down/);
  assert.deepEqual(budget.stats(), {
    inFlight: 1,
    spawnsInFlight: 0,
    waitingInteractive: 0,
    waitingBackground: 0,
  });
  holder();
});

test('rejects settings that would stall every request', () => {
  assert.throws(
    () => new RequestBudget({ maxInFlight: 0 }, new ManualClock()),
    /maxInFlight must be positive/,
  );
  assert.throws(
    () => new RequestBudget({ ratePerSecond: Number.NaN }, new ManualClock()),
    /ratePerSecond/,
  );
});
