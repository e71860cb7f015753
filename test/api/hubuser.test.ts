// The HubUser spec schema as a table: what it accepts, the defaults it fills in, what it drops
// and what it rejects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubUserSpecSchema, hubUserStatusSchema } from '../../src/api/hubuser.ts';

const rows: [name: string, spec: unknown, parsed: object | 'invalid'][] = [
  ['an empty spec gets admin false and nothing else', {}, { admin: false }],
  [
    'a full spec is kept as it is',
    { username: 'alice@example.org', admin: true, deletionPolicy: 'Retain' },
    { username: 'alice@example.org', admin: true, deletionPolicy: 'Retain' },
  ],
  ['an unknown field is dropped', { admin: true, quota: 5 }, { admin: true }],
  ['an uppercase username is rejected', { username: 'Alice' }, 'invalid'],
  ['an empty username is rejected', { username: '' }, 'invalid'],
  ['a username with a slash is rejected', { username: 'a/b' }, 'invalid'],
  ['a username with a leading space is rejected', { username: ' alice' }, 'invalid'],
  [
    'a deletionPolicy other than Delete and Retain is rejected',
    { deletionPolicy: 'Orphan' },
    'invalid',
  ],
  ['a string admin flag is rejected', { admin: 'yes' }, 'invalid'],
];

for (const [name, spec, parsed] of rows) {
  test(`HubUser spec: ${name}`, () => {
    const result = hubUserSpecSchema.safeParse(spec);
    if (parsed === 'invalid') assert.equal(result.success, false);
    else assert.deepEqual(result.data, parsed, result.error?.message);
  });
}

test('a HubUser status as the operator writes it parses back unchanged', () => {
  const status = {
    observedGeneration: 2,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        lastTransitionTime: '2026-01-01T00:00:00Z',
        reason: 'Reconciled',
        message: '',
      },
    ],
    username: 'alice@example.org',
    ownership: 'Adopted',
    admin: false,
    lastActivity: '2026-01-01T00:00:00.000Z',
    servers: 1,
  };
  assert.deepEqual(hubUserStatusSchema.parse(status), status);
  assert.equal(hubUserStatusSchema.safeParse({ ...status, ownership: 'Stolen' }).success, false);
});
