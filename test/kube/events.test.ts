import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventName } from '../../src/kube/events.ts';

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

test('an Event is named after its object and a suffix', () => {
  assert.equal(eventName('ada', '0123abcd'), 'ada.0123abcd');
});

test('a 253-character object name is cut so that the Event name is a valid name', () => {
  const suffix = 'f'.repeat(16);
  for (const object of ['a'.repeat(253), `${'a'.repeat(234)}-.b${'c'.repeat(16)}`]) {
    const name = eventName(object, suffix);
    assert.ok(name.length <= 253, `${name.length} characters`);
    assert.match(name, subdomain);
    assert.ok(name.endsWith(`.${suffix}`));
  }
});
