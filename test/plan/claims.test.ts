import { test } from 'node:test';
import assert from 'node:assert/strict';
import { winningClaim } from '../../src/plan/claims.ts';

test('the oldest claim wins', () => {
  assert.equal(
    winningClaim([
      { key: 'b/ada', created: '2026-11-23T10:00:01Z' },
      { key: 'a/ada', created: '2026-11-23T10:00:02Z' },
    ]),
    'b/ada',
  );
});

test('claims made in the same second are ordered by key, the same way everywhere', () => {
  const same = '2026-11-23T10:00:00Z';
  assert.equal(
    winningClaim([
      { key: 'z/ada', created: same },
      { key: 'a/ada', created: same },
    ]),
    'a/ada',
  );
});

test('no claim, no winner', () => {
  assert.equal(winningClaim([]), undefined);
});
