// The rule that turns hub names into object names for `hubops export`: names Kubernetes can hold
// stay as they are; the others convert, with a hash of the hub name so that alike ones differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectNameFor, objectNames } from '../../src/cli/object-names.ts';

const dnsSubdomain = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const rows: [hubName: string, expected: string | RegExp][] = [
  ['ada', 'ada'],
  ['physics-101', 'physics-101'],
  ['a.b', 'a.b'],
  ['Ada', /^ada-[0-9a-f]{8}$/],
  ['alice@example.org', /^alice-example.org-[0-9a-f]{8}$/],
  ['bob+test', /^bob-test-[0-9a-f]{8}$/],
  ['_x_', /^x-[0-9a-f]{8}$/],
  ['@@@', /^h-[0-9a-f]{8}$/],
  ['ünïcødé', /^n-c-d-[0-9a-f]{8}$/],
  ['a'.repeat(300), /^a{244}-[0-9a-f]{8}$/],
];

for (const [hubName, expected] of rows) {
  test(`hub name ${JSON.stringify(hubName.slice(0, 20))} becomes a valid object name`, () => {
    const name = objectNameFor(hubName);
    if (typeof expected === 'string') assert.equal(name, expected);
    else assert.match(name, expected);
    assert.match(name, dnsSubdomain);
    assert.ok(name.length <= 253);
  });
}

test('two hub names that convert alike get two names, the same on every run', () => {
  const names = objectNames(['Ada', 'ada', 'ADA', 'a-da']);
  assert.equal(names.get('ada'), 'ada', 'a name that needs no conversion keeps itself');
  assert.equal(names.get('a-da'), 'a-da');
  assert.equal(new Set(names.values()).size, 4);
  assert.deepEqual(objectNames(['ADA', 'a-da', 'ada', 'Ada']), names, 'order does not matter');
});
