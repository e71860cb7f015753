import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  planGroup,
  planGroupDeletion,
  type DesiredGroup,
  type GroupPlan,
  type ObservedGroup,
} from '../../src/plan/hubgroup.ts';

const hub = new Set(['ana', 'bo', 'cy', 'dee']);
const desired = (members: string[], extra: Partial<DesiredGroup> = {}): DesiredGroup => ({
  group: 'g',
  members,
  policy: 'Exact',
  ...extra,
});
const plan = (actions: GroupPlan['actions'], propertiesUnsupported = false): GroupPlan => ({
  actions,
  propertiesUnsupported,
});

const rows: [
  name: string,
  desired: DesiredGroup,
  observed: ObservedGroup | undefined,
  canSet: boolean,
  expected: GroupPlan,
][] = [
  [
    'a new group is created and filled in one call',
    desired(['ana', 'bo']),
    undefined,
    true,
    plan([{ op: 'createGroup', group: 'g', users: ['ana', 'bo'] }]),
  ],
  [
    'an empty new group needs only its creation',
    desired([]),
    undefined,
    true,
    plan([{ op: 'createGroup', group: 'g', users: [] }]),
  ],
  [
    "a new group's members missing from the hub are created before the group that holds them",
    desired(['ana', 'zed']),
    undefined,
    true,
    plan([
      { op: 'createUser', user: 'zed', admin: false },
      { op: 'createGroup', group: 'g', users: ['ana', 'zed'] },
    ]),
  ],
  [
    'members missing from the hub are created first',
    desired(['ana', 'zed']),
    { users: ['ana'] },
    true,
    plan([
      { op: 'createUser', user: 'zed', admin: false },
      { op: 'addMembers', group: 'g', users: ['zed'] },
    ]),
  ],
  [
    'Exact adds missing and removes undeclared members, one call each',
    desired(['ana', 'bo']),
    { users: ['bo', 'cy', 'dee'] },
    true,
    plan([
      { op: 'addMembers', group: 'g', users: ['ana'] },
      { op: 'removeMembers', group: 'g', users: ['cy', 'dee'] },
    ]),
  ],
  [
    'Additive only adds',
    desired(['ana'], { policy: 'Additive' }),
    { users: ['bo'] },
    true,
    plan([{ op: 'addMembers', group: 'g', users: ['ana'] }]),
  ],
  [
    'a group as declared needs nothing',
    desired(['bo', 'ana']),
    { users: ['ana', 'bo'] },
    true,
    plan([]),
  ],
  [
    'unset properties leave the hub alone',
    desired([]),
    { users: [], properties: { x: 1 } },
    true,
    plan([]),
  ],
  [
    'different properties are replaced',
    desired([], { properties: { course: 'maths' } }),
    { users: [], properties: { course: 'physics' } },
    true,
    plan([{ op: 'setProperties', group: 'g', properties: { course: 'maths' } }]),
  ],
  [
    'equal properties need nothing',
    desired([], { properties: { a: [1, { b: 2 }] } }),
    { users: [], properties: { a: [1, { b: 2 }] } },
    true,
    plan([]),
  ],
  [
    'properties on a hub without them are reported, not sent',
    desired([], { properties: { a: 1 } }),
    { users: [] },
    false,
    plan([], true),
  ],
];

for (const [name, want, observed, canSet, expected] of rows) {
  test(name, () => assert.deepEqual(planGroup(want, observed, hub, canSet), expected));
}

test('a group is deleted only under a Delete policy in force', () => {
  assert.deepEqual(planGroupDeletion('g', undefined, 'Created', true), [
    { op: 'deleteGroup', group: 'g' },
  ]);
  assert.deepEqual(planGroupDeletion('g', undefined, 'Adopted', true), []);
  assert.deepEqual(planGroupDeletion('g', 'Retain', 'Created', true), []);
  assert.deepEqual(planGroupDeletion('g', 'Delete', 'Created', false), []);
});
