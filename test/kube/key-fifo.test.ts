// The work queue's FIFO of keys: arrival order, entries that no longer stand skipped when reached,
// and the order kept across the compaction of a long backlog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyFifo } from '../../src/kube/key-fifo.ts';

const always = (): boolean => true;

test('keys come out in the order they went in, then undefined', () => {
  const fifo = new KeyFifo();
  for (const [seq, key] of ['a', 'b', 'c'].entries()) fifo.push(key, seq);
  assert.deepEqual([fifo.take(always), fifo.take(always), fifo.take(always)], ['a', 'b', 'c']);
  assert.equal(fifo.take(always), undefined);
  assert.equal(fifo.length, 0);
});

test('an entry that no longer stands is dropped when reached, and the next one is taken', () => {
  const fifo = new KeyFifo();
  fifo.push('a', 1);
  fifo.push('b', 2);
  fifo.push('a', 3);
  const standing = new Map([
    ['a', 3],
    ['b', 2],
  ]);
  const stands = (key: string, seq: number): boolean => standing.get(key) === seq;
  assert.equal(fifo.take(stands), 'b', 'the first a was left behind by a later entry');
  assert.equal(fifo.take(stands), 'a');
  assert.equal(fifo.take(stands), undefined);
});

test('a backlog of 50,000 keys drains in order across its compactions, while keys keep coming', () => {
  const fifo = new KeyFifo();
  const out: string[] = [];
  let next = 0;
  for (; next < 50_000; next += 1) fifo.push(`k${next}`, next);
  for (let round = 0; ; round += 1) {
    if (round < 60_000 && round % 3 === 0) fifo.push(`k${next}`, next++);
    const key = fifo.take(always);
    if (key === undefined) break;
    out.push(key);
  }
  assert.equal(out.length, next);
  assert.ok(
    out.every((key, i) => key === `k${i}`),
    'every key in order',
  );
  assert.equal(fifo.length, 0);
});
