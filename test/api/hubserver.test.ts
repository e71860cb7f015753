// The HubServer spec schema as a table: what it accepts, the defaults it fills in, what it drops
// and what it rejects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubServerSpecSchema } from '../../src/api/hubserver.ts';

const defaults = { serverName: '', state: 'Running', keepRunning: false };

const rows: [name: string, spec: unknown, parsed: object | 'invalid'][] = [
  [
    'sharedWith takes users and groups, each with optional scopes',
    { username: 'ada', sharedWith: [{ user: 'bob', scopes: ['read:servers'] }, { group: 'tas' }] },
    {
      username: 'ada',
      ...defaults,
      sharedWith: [{ user: 'bob', scopes: ['read:servers'] }, { group: 'tas' }],
    },
  ],
  [
    'a share naming both a user and a group is rejected',
    { username: 'ada', sharedWith: [{ user: 'bob', group: 'tas' }] },
    'invalid',
  ],
  ['a share naming no one is rejected', { username: 'ada', sharedWith: [{}] }, 'invalid'],
  [
    'a user listed twice in sharedWith is rejected',
    { username: 'ada', sharedWith: [{ user: 'bob' }, { user: 'bob', scopes: ['read:servers'] }] },
    'invalid',
  ],
  [
    'a user and a group of the same name are two shares',
    { username: 'ada', sharedWith: [{ user: 'tas' }, { group: 'tas' }], sharingPolicy: 'Additive' },
    {
      username: 'ada',
      ...defaults,
      sharedWith: [{ user: 'tas' }, { group: 'tas' }],
      sharingPolicy: 'Additive',
    },
  ],
  [
    'a username alone gets the default server, Running, not kept running',
    { username: 'alice' },
    { username: 'alice', ...defaults },
  ],
  [
    'a full spec is kept as it is',
    {
      username: 'alice',
      serverName: 'gpu-1',
      state: 'Stopped',
      keepRunning: true,
      userOptions: { image: 'lab:4', cpu: 2 },
      displayName: 'GPU box',
      deletionPolicy: 'Retain',
    },
    {
      username: 'alice',
      serverName: 'gpu-1',
      state: 'Stopped',
      keepRunning: true,
      userOptions: { image: 'lab:4', cpu: 2 },
      displayName: 'GPU box',
      deletionPolicy: 'Retain',
    },
  ],
  [
    'an unknown field is dropped',
    { username: 'alice', image: 'x' },
    { username: 'alice', ...defaults },
  ],
  ['a missing username is rejected', {}, 'invalid'],
  ['an uppercase username is rejected', { username: 'Alice' }, 'invalid'],
  [
    'the server name My.Server is rejected',
    { username: 'alice', serverName: 'My.Server' },
    'invalid',
  ],
  ['the server name 1st is rejected', { username: 'alice', serverName: '1st' }, 'invalid'],
  ['the server name a--b is rejected', { username: 'alice', serverName: 'a--b' }, 'invalid'],
  [
    'a 31-character server name is rejected',
    { username: 'alice', serverName: 'a'.repeat(31) },
    'invalid',
  ],
  [
    'a state other than Running and Stopped is rejected',
    { username: 'alice', state: 'Paused' },
    'invalid',
  ],
  [
    'a display name with a leading space is rejected',
    { username: 'alice', displayName: ' GPU' },
    'invalid',
  ],
  ['an empty display name is rejected', { username: 'alice', displayName: '' }, 'invalid'],
  [
    'userOptions that are not an object are rejected',
    { username: 'alice', userOptions: 'big' },
    'invalid',
  ],
  [
    'a deletionPolicy other than Delete and Retain is rejected',
    { username: 'alice', deletionPolicy: 'Keep' },
    'invalid',
  ],
];

for (const [name, spec, parsed] of rows) {
  test(`HubServer spec: ${name}`, () => {
    const result = hubServerSpecSchema.safeParse(spec);
    if (parsed === 'invalid') assert.equal(result.success, false);
    else assert.deepEqual(result.data, parsed, result.error?.message);
  });
}
