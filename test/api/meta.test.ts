// Object keys: keyOf and parseKey are inverses, and parseKey refuses what keyOf never makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersion, keyOf, parseKey } from '../../src/api/meta.ts';

test('apiVersion is hubops.io/v1alpha1', () => {
  assert.equal(apiVersion, 'hubops.io/v1alpha1');
});

test('keyOf joins namespace and name with a slash, and parseKey splits them again', () => {
  assert.equal(keyOf('team-a', 'alice'), 'team-a/alice');
  assert.deepEqual(parseKey(keyOf('team-a', 'alice')), { namespace: 'team-a', name: 'alice' });
});

for (const key of ['alice', '/alice', 'team-a/', 'a/b/c', '']) {
  test(`parseKey rejects ${JSON.stringify(key)}`, () => {
    assert.throws(() => parseKey(key), RangeError);
  });
}
