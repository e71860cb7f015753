import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFolding } from '../../src/kube/event-folding.ts';

interface Step {
  readonly at: number;
  readonly key?: string;
  /** true: written now; a number: counted, its summary due then. */
  readonly expect: true | number;
}

const cases: { name: string; steps: Step[]; takes: Record<string, number | undefined> }[] = [
  {
    name: 'Events within the burst are all written',
    steps: [
      { at: 0, expect: true },
      { at: 1, expect: true },
      { at: 2, expect: true },
    ],
    takes: { k: undefined },
  },
  {
    name: 'Events past the burst are counted for the summary at the end of the window',
    steps: [
      { at: 0, expect: true },
      { at: 1, expect: true },
      { at: 2, expect: true },
      { at: 3, expect: 1000 },
      { at: 999, expect: 1000 },
    ],
    takes: { k: 2 },
  },
  {
    name: 'a new window writes a burst again',
    steps: [
      { at: 0, expect: true },
      { at: 0, expect: true },
      { at: 0, expect: true },
      { at: 1000, expect: true },
      { at: 1000, expect: true },
    ],
    takes: { k: undefined },
  },
  {
    name: 'each key has a burst of its own',
    steps: [
      { at: 0, expect: true },
      { at: 0, expect: true },
      { at: 0, expect: true },
      { at: 0, key: 'other', expect: true },
      { at: 0, expect: 1000 },
    ],
    takes: { k: 1, other: undefined },
  },
  {
    name: 'a summary still owed when the next window opens carries over into it',
    steps: [
      { at: 0, expect: true },
      { at: 0, expect: true },
      { at: 0, expect: true },
      { at: 0, expect: 1000 },
      { at: 1000, expect: true },
      { at: 1000, expect: true },
      { at: 1000, expect: true },
      { at: 1000, expect: 2000 },
    ],
    takes: { k: 2 },
  },
];

for (const { name, steps, takes } of cases) {
  test(`folding: ${name}`, () => {
    const folding = new EventFolding<number>({ burst: 3, windowMs: 1000 });
    for (const [index, step] of steps.entries()) {
      const offer = folding.offer(step.key ?? 'k', index, step.at);
      assert.deepEqual(
        offer,
        step.expect === true ? { admit: true } : { admit: false, due: step.expect },
        `step ${index}`,
      );
    }
    for (const [key, folded] of Object.entries(takes)) {
      assert.equal(folding.take(key)?.folded, folded, key);
      assert.equal(folding.take(key), undefined, `${key}: taken once`);
    }
  });
}

test('folding: every Event offered is written or summed up exactly once', () => {
  const folding = new EventFolding<number>({ burst: 10, windowMs: 60_000 });
  let written = 0;
  let summed = 0;
  for (let i = 0; i < 5_000; i++) {
    const now = i * 37;
    if (folding.offer(`k${i % 3}`, i, now).admit) written++;
    if (i % 500 === 0)
      for (const key of ['k0', 'k1', 'k2']) summed += folding.take(key)?.folded ?? 0;
  }
  for (const key of ['k0', 'k1', 'k2']) summed += folding.take(key)?.folded ?? 0;
  assert.equal(written + summed, 5_000);
  assert.ok(written < 200, `${written} written one by one`);
});

test('folding: the summary names the last Event folded', () => {
  const folding = new EventFolding<string>({ burst: 1, windowMs: 1000 });
  folding.offer('k', 'ada', 0);
  folding.offer('k', 'bob', 1);
  folding.offer('k', 'cy', 2);
  assert.deepEqual(folding.take('k'), { folded: 2, last: 'cy' });
});

test('folding: prune forgets ended windows with nothing owed and keeps owed ones', () => {
  const folding = new EventFolding<number>({ burst: 1, windowMs: 1000 });
  folding.offer('quiet', 0, 0);
  folding.offer('owed', 0, 0);
  folding.offer('owed', 1, 0);
  folding.prune(5000);
  assert.equal(folding.take('owed')?.folded, 1);
  assert.deepEqual(folding.offer('quiet', 2, 5000), { admit: true });
});
