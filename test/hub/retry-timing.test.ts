import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter } from '../../src/hub/retry-timing.ts';

const policy = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1_000 };

const delays: [retry: number, random: number, expected: number][] = [
  [1, 0, 50],
  [1, 0.999999, 100],
  [2, 0, 100],
  [3, 0.5, 300],
  [4, 0, 400],
  [5, 0, 500],
  [9, 0, 500],
  [9, 0.999999, 1_000],
];

for (const [retry, random, expected] of delays) {
  test(`retry ${retry} with jitter ${random} waits about ${expected} ms`, () => {
    assert.ok(Math.abs(backoffDelay(retry, policy, () => random) - expected) < 0.01);
  });
}

const now = Date.UTC(2026, 10, 23, 12, 0, 0);
const afters: [header: string | string[] | undefined, expected: number | undefined][] = [
  [undefined, undefined],
  ['', undefined],
  ['42', 42_000],
  [' 7 ', 7_000],
  ['1.5', 1_500],
  [['3', '9'], 3_000],
  ['Mon, 23 Nov 2026 12:00:30 GMT', 30_000],
  ['Mon, 23 Nov 2026 11:59:00 GMT', 0],
  ['soon', undefined],
];

for (const [header, expected] of afters) {
  test(`Retry-After ${JSON.stringify(header)} means ${String(expected)} ms`, () => {
    assert.equal(parseRetryAfter(header, now), expected);
  });
}
