// How `hubops plan` prints: one sentence per hub call, each line marked + (creates), ~ (changes)
// or - (destructive) with the resource that makes it; findings and the destructive warning on
// standard error, so that stdout stays the plan alone; and the same plan as one JSON document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asJson, asText, sentence } from '../../src/cli/plan-output.ts';
import type { Call, PlannedCall, Preview, ResourceId } from '../../src/cli/preview/model.ts';

const seven = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus'];

const sentences: [call: Call, expected: string][] = [
  [{ op: 'createUser', user: 'ada', admin: false }, 'create user ada'],
  [{ op: 'createUser', user: 'ada', admin: true }, 'create user ada (admin)'],
  [{ op: 'setAdmin', user: 'ada', admin: true }, 'grant admin to user ada'],
  [{ op: 'setAdmin', user: 'ada', admin: false }, 'revoke admin from user ada'],
  [{ op: 'deleteUser', user: 'ada' }, 'delete user ada'],
  [{ op: 'createGroup', group: 'ml', users: [] }, 'create group ml with 0 members'],
  [{ op: 'createGroup', group: 'ml', users: ['ada'] }, 'create group ml with 1 member: ada'],
  [
    { op: 'createGroup', group: 'ml', users: seven },
    'create group ml with 7 members: ada, bob, cy, dee, eve, and 2 more',
  ],
  [{ op: 'addMembers', group: 'ml', users: ['ada', 'bob'] }, 'add 2 members to group ml: ada, bob'],
  [{ op: 'removeMembers', group: 'ml', users: ['cy'] }, 'remove 1 member from group ml: cy'],
  [
    { op: 'setProperties', group: 'ml', properties: { seats: 30 } },
    'set the properties of group ml',
  ],
  [{ op: 'deleteGroup', group: 'ml' }, 'delete group ml'],
  [{ op: 'startServer', user: 'ada', server: '' }, 'start server ada (default)'],
  [{ op: 'startServer', user: 'ada', server: 'lab' }, 'start server ada/lab'],
  [{ op: 'stopServer', user: 'ada', server: 'lab', remove: false }, 'stop server ada/lab'],
  [
    { op: 'stopServer', user: 'ada', server: 'lab', remove: true },
    'stop and remove server ada/lab',
  ],
];

for (const [call, expected] of sentences) {
  test(`a ${call.op} call reads "${expected}"`, () => assert.equal(sentence(call), expected));
}

const ada: ResourceId = { kind: 'HubUser', namespace: 'course', name: 'ada' };
const ml: ResourceId = { kind: 'HubGroup', namespace: 'course', name: 'ml' };

const planned = (call: Call, resource: ResourceId, destructive = false): PlannedCall => ({
  call,
  resource,
  destructive,
});

const empty: Preview = { calls: [], findings: [], resources: 3, otherHubs: 0 };

/** One call of each mark, and a finding. */
const mixed: Preview = {
  calls: [
    planned({ op: 'createUser', user: 'ada', admin: true }, ada),
    planned({ op: 'addMembers', group: 'ml', users: ['ada'] }, ml),
    planned({ op: 'removeMembers', group: 'ml', users: ['bob'] }, ml, true),
  ],
  findings: [
    {
      resource: { kind: 'HubServer', namespace: 'course', name: 'bob' },
      reason: 'UserMissing',
      message: 'hub user bob does not exist and nothing in the plan creates it',
    },
  ],
  resources: 3,
  otherHubs: 0,
};

test('a plan without calls prints one summary line and nothing on standard error', () => {
  assert.deepEqual(asText(empty), {
    stdout: 'Plan: no hub calls for 3 resources.\n',
    stderr: '',
  });
});

test('each call is a line marked + for creates, ~ for changes and - for destructive calls', () => {
  const { stdout } = asText(mixed);
  assert.equal(
    stdout,
    [
      '+ create user ada (admin)  [HubUser course/ada]',
      '~ add 1 member to group ml: ada  [HubGroup course/ml]',
      '- remove 1 member from group ml: bob  [HubGroup course/ml]',
      'Plan: 3 hub calls for 3 resources: 1 to create, 1 to change, 1 destructive.',
      '',
    ].join('\n'),
  );
});

test('findings and the destructive warning go to standard error, one line each', () => {
  const { stderr } = asText(mixed);
  assert.equal(
    stderr,
    [
      'hubops: HubServer course/bob: UserMissing: hub user bob does not exist and nothing in the plan creates it',
      'hubops: warning: 1 destructive call (marked -): the hub loses what they delete, remove or stop',
      '',
    ].join('\n'),
  );
});

test('a destructive call alone starts its line with "- " and draws the warning', () => {
  const result: Preview = {
    ...empty,
    calls: [planned({ op: 'deleteUser', user: 'ada' }, ada, true)],
    resources: 1,
  };
  const { stdout, stderr } = asText(result);
  assert.ok(stdout.startsWith('- delete user ada  [HubUser course/ada]\n'), stdout);
  assert.match(
    stdout,
    /^Plan: 1 hub call for 1 resource: 0 to create, 0 to change, 1 destructive\.$/mu,
  );
  assert.match(stderr, /^hubops: warning: 1 destructive call \(marked -\)/mu);
});

test('resources of the manifests that use another hub are mentioned on standard error', () => {
  const { stderr } = asText({ ...empty, otherHubs: 2 });
  assert.match(stderr, /^hubops: 2 resource\(s\) of the manifests use another hub/mu);
});

test('the JSON plan has each call with its words, its resource and whether it is destructive', () => {
  const json: unknown = JSON.parse(asJson(mixed));
  assert.deepEqual(json, {
    calls: [
      {
        op: 'createUser',
        user: 'ada',
        admin: true,
        text: 'create user ada (admin)',
        destructive: false,
        resource: ada,
      },
      {
        op: 'addMembers',
        group: 'ml',
        users: ['ada'],
        text: 'add 1 member to group ml: ada',
        destructive: false,
        resource: ml,
      },
      {
        op: 'removeMembers',
        group: 'ml',
        users: ['bob'],
        text: 'remove 1 member from group ml: bob',
        destructive: true,
        resource: ml,
      },
    ],
    findings: mixed.findings,
    summary: {
      calls: 3,
      create: 1,
      change: 1,
      destructive: 1,
      resources: 3,
      findings: 1,
      otherHubs: 0,
    },
  });
});

test('the JSON plan of no calls is one document ending in a newline', () => {
  const text = asJson(empty);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(JSON.parse(text), {
    calls: [],
    findings: [],
    summary: {
      calls: 0,
      create: 0,
      change: 0,
      destructive: 0,
      resources: 3,
      findings: 0,
      otherHubs: 0,
    },
  });
});
