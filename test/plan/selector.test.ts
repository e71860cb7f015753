import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesSelector, type LabelSelector } from '../../src/plan/selector.ts';

const labels = { team: 'ds', tier: 'a' };
const rows: [selector: LabelSelector, matches: boolean][] = [
  [{}, true],
  [{ matchLabels: { team: 'ds' } }, true],
  [{ matchLabels: { team: 'ml' } }, false],
  [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, true],
  [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, false],
  [{ matchExpressions: [{ key: 'cohort', operator: 'NotIn', values: ['x'] }] }, true],
  [{ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
  [{ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
  [
    { matchLabels: { team: 'ds' }, matchExpressions: [{ key: 'cohort', operator: 'Exists' }] },
    false,
  ],
];

for (const [selector, matches] of rows) {
  test(`${JSON.stringify(selector)} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
    assert.equal(matchesSelector(labels, selector), matches);
  });
}

test('an object without labels matches only selectors that ask for nothing present', () => {
  assert.equal(matchesSelector(undefined, {}), true);
  assert.equal(
    matchesSelector(undefined, { matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }),
    true,
  );
  assert.equal(matchesSelector(undefined, { matchLabels: { x: 'y' } }), false);
});
