import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../src/plan/actions.ts';
import {
  planUser,
  planUserDeletion,
  type DesiredUser,
  type ObservedUser,
} from '../../src/plan/hubuser.ts';

const rows: [
  name: string,
  desired: DesiredUser,
  observed: ObservedUser | undefined,
  actions: Action[],
][] = [
  [
    'a missing user is created',
    { username: 'ada', admin: false },
    undefined,
    [{ op: 'createUser', user: 'ada', admin: false }],
  ],
  [
    'a missing admin is created as admin',
    { username: 'ada', admin: true },
    undefined,
    [{ op: 'createUser', user: 'ada', admin: true }],
  ],
  [
    'an admin flag flipped by hand is set back',
    { username: 'ada', admin: false },
    { admin: true },
    [{ op: 'setAdmin', user: 'ada', admin: false }],
  ],
  [
    'a requested admin flag is granted',
    { username: 'ada', admin: true },
    { admin: false },
    [{ op: 'setAdmin', user: 'ada', admin: true }],
  ],
  ['a user as the spec says needs nothing', { username: 'ada', admin: true }, { admin: true }, []],
];

for (const [name, desired, observed, actions] of rows) {
  test(name, () => assert.deepEqual(planUser(desired, observed), actions));
}

const deletions: [name: string, args: Parameters<typeof planUserDeletion>, actions: Action[]][] = [
  [
    'a created user is deleted with its resource by default',
    ['ada', undefined, 'Created', true],
    [{ op: 'deleteUser', user: 'ada' }],
  ],
  ['an adopted user is kept by default', ['ada', undefined, 'Adopted', true], []],
  ['a user of unknown ownership is kept by default', ['ada', undefined, undefined, true], []],
  ['Retain keeps even a created user', ['ada', 'Retain', 'Created', true], []],
  [
    'Delete removes even an adopted user',
    ['ada', 'Delete', 'Adopted', true],
    [{ op: 'deleteUser', user: 'ada' }],
  ],
  ['a user already gone needs no call', ['ada', 'Delete', 'Created', false], []],
];

for (const [name, args, actions] of deletions) {
  test(name, () => assert.deepEqual(planUserDeletion(...args), actions));
}
