// The HubGroup spec schema as a table: what it accepts, the defaults it fills in, what it drops
// and what it rejects, including the label selector's own rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubGroupSpecSchema } from '../../src/api/hubgroup.ts';

const fullSpec = {
  groupName: 'Data Science',
  members: ['alice', 'bob@example.org'],
  memberSelector: {
    matchLabels: { team: 'ds' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['a', 'b'] },
      { key: 'gone', operator: 'DoesNotExist' },
    ],
  },
  membershipPolicy: 'Additive',
  properties: { quota: { cpu: 2 }, tags: ['x'] },
  deletionPolicy: 'Delete',
};

const rows: [name: string, spec: unknown, parsed: object | 'invalid'][] = [
  ['an empty spec gets the Exact membership policy', {}, { membershipPolicy: 'Exact' }],
  ['a full spec is kept as it is', fullSpec, fullSpec],
  [
    'an empty selector is kept, selecting every HubUser',
    { memberSelector: {} },
    { memberSelector: {}, membershipPolicy: 'Exact' },
  ],
  ['an unknown field is dropped', { owner: 'x' }, { membershipPolicy: 'Exact' }],
  ['a group name with a slash is rejected', { groupName: 'a/b' }, 'invalid'],
  ['an empty group name is rejected', { groupName: '' }, 'invalid'],
  ['an uppercase member is rejected', { members: ['Alice'] }, 'invalid'],
  ['a member listed twice is rejected', { members: ['alice', 'alice'] }, 'invalid'],
  [
    'a membership policy other than Exact and Additive is rejected',
    { membershipPolicy: 'Sync' },
    'invalid',
  ],
  [
    'an unknown selector operator is rejected',
    { memberSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } },
    'invalid',
  ],
  [
    'In without values is rejected',
    { memberSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
    'invalid',
  ],
  [
    'Exists with values is rejected',
    { memberSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } },
    'invalid',
  ],
  [
    'a label value that is not a string is rejected',
    { memberSelector: { matchLabels: { a: 1 } } },
    'invalid',
  ],
  ['properties that are not an object are rejected', { properties: ['x'] }, 'invalid'],
];

for (const [name, spec, parsed] of rows) {
  test(`HubGroup spec: ${name}`, () => {
    const result = hubGroupSpecSchema.safeParse(spec);
    if (parsed === 'invalid') assert.equal(result.success, false);
    else assert.deepEqual(result.data, parsed, result.error?.message);
  });
}
