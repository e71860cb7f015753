import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/kube/queue.ts';
import { ManualClock, flush } from '../support/manual-clock.ts';

function queue(clock = new ManualClock(), options = {}): WorkQueue {
  return new WorkQueue({ clock, random: () => 0.5 }, options);
}

/** Takes every ready key without waiting (and without marking them done). */
async function drain(q: WorkQueue): Promise<string[]> {
  await flush();
  const keys: string[] = [];
  for (let key = q.tryGet(); key !== undefined; key = q.tryGet()) keys.push(key);
  return keys;
}

test('a key added many times is queued once', async () => {
  const q = queue();
  for (let i = 0; i < 5; i++) q.add('ns/a');
  q.add('ns/b');
  assert.deepEqual(await drain(q), ['ns/a', 'ns/b']);
});

test('a key is never handed to two workers: a change during processing queues it again after done', async () => {
  const q = queue();
  q.add('ns/a');
  assert.equal(await q.get(), 'ns/a');
  q.add('ns/a');
  assert.deepEqual(await drain(q), [], 'not handed out while in process');
  q.done('ns/a');
  assert.deepEqual(await drain(q), ['ns/a']);
  q.done('ns/a');
  assert.deepEqual(await drain(q), [], 'no change meanwhile: not queued again');
});

test('a waiting worker gets the next key as soon as it is added', async () => {
  const q = queue();
  const next = q.get();
  q.add('ns/late');
  assert.equal(await next, 'ns/late');
});

test('user changes go ahead of queued resync work, and a user add upgrades a queued background key', async () => {
  const q = queue(new ManualClock(), { backgroundEvery: 100 });
  q.add('ns/r1', 'background');
  q.add('ns/r2', 'background');
  q.add('ns/e1', 'interactive');
  q.add('ns/r2', 'interactive');
  assert.deepEqual(await drain(q), ['ns/e1', 'ns/r2', 'ns/r1']);
});

test('resync work keeps one turn in every backgroundEvery while users keep editing', async () => {
  const q = queue(new ManualClock(), { backgroundEvery: 3 });
  for (let i = 1; i <= 2; i++) q.add(`ns/r${i}`, 'background');
  for (let i = 1; i <= 5; i++) q.add(`ns/e${i}`, 'interactive');
  assert.deepEqual(await drain(q), ['ns/e1', 'ns/e2', 'ns/r1', 'ns/e3', 'ns/e4', 'ns/r2', 'ns/e5']);
});

test('failures back off exponentially with jitter up to the cap, and forget resets them', () => {
  const clock = new ManualClock();
  const q = queue(clock, { baseDelayMs: 1_000, maxDelayMs: 8_000 });
  const delays = [1, 2, 3, 4, 5].map(() => q.addRateLimited('ns/a'));
  assert.deepEqual(delays, [750, 1_500, 3_000, 6_000, 6_000]);
  assert.equal(q.failures('ns/a'), 5);
  q.forget('ns/a');
  assert.equal(q.addRateLimited('ns/a'), 750);
});

test('addAfter queues the key when its time comes, and the earliest of two delays wins', async () => {
  const clock = new ManualClock();
  const q = queue(clock);
  q.addAfter('ns/a', 5_000);
  q.addAfter('ns/a', 2_000);
  q.addAfter('ns/a', 9_000);
  await clock.advance(1_999);
  assert.deepEqual(await drain(q), []);
  await clock.advance(1);
  assert.deepEqual(await drain(q), ['ns/a']);
  q.done('ns/a');
  await clock.advance(10_000);
  assert.deepEqual(await drain(q), [], 'the superseded delays never fire');
  assert.equal(q.stats().delayed, 0);
});

test('closing wakes waiting workers with undefined and drops delayed keys', async () => {
  const clock = new ManualClock();
  const q = queue(clock);
  const waiting = q.get();
  q.addAfter('ns/a', 1_000);
  q.close();
  assert.equal(await waiting, undefined);
  await clock.advance(2_000);
  q.add('ns/b');
  assert.equal(await q.get(), undefined);
});

test('reports how long each key waited in the queue', async () => {
  const clock = new ManualClock();
  const waits: number[] = [];
  const q = new WorkQueue({ clock, observer: { dequeued: (ms) => waits.push(ms) } });
  q.add('ns/a');
  await clock.advance(250);
  await q.get();
  assert.deepEqual(waits, [250]);
});

test('a user-only worker takes changes users made and leaves background keys to the others', async () => {
  const q = queue();
  q.add('ns/backlog', 'background');
  let userKey: string | undefined;
  const forUsers = q.get(true).then((key) => (userKey = key));
  await flush();
  assert.equal(userKey, undefined, 'background work does not reach it');
  q.add('ns/edit', 'interactive');
  await forUsers;
  assert.equal(userKey, 'ns/edit');
  assert.deepEqual(await drain(q), ['ns/backlog']);
});

test('a background key wakes a waiting general worker past a user-only one', async () => {
  const q = queue();
  const order: string[] = [];
  const forUsers = q.get(true).then((key) => order.push(`users:${key}`));
  const general = q.get().then((key) => order.push(`general:${key}`));
  q.add('ns/backlog', 'background');
  await general;
  q.add('ns/edit', 'interactive');
  await forUsers;
  assert.deepEqual(order, ['general:ns/backlog', 'users:ns/edit']);
});

test('closing the queue releases user-only workers too', async () => {
  const q = queue();
  const forUsers = q.get(true);
  q.close();
  assert.equal(await forUsers, undefined);
});

test('a queued background key a user then changes goes to a waiting user-only worker', async () => {
  const q = queue();
  q.add('ns/backlog', 'background');
  q.add('ns/edited', 'background');
  let taken: string | undefined;
  void q.get(true).then((key) => (taken = key));
  q.add('ns/edited', 'interactive');
  await flush();
  assert.equal(taken, 'ns/edited');
  assert.deepEqual(await drain(q), ['ns/backlog']);
});
