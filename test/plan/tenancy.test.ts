// The tenancy decisions, row by row: which namespace may use a hub, grant admin, and take over
// what hubops did not create; a refusal names its reason and the hub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminGrant,
  admission,
  adoption,
  namespacesOf,
  type TenancyPolicy,
} from '../../src/plan/tenancy.ts';

const own = { names: new Set(['jhub']) };
const hubPolicy = (spec: {
  allowed?: string[];
  admin?: string[];
  adoption?: string[];
}): TenancyPolicy => ({
  hubName: 'hub jhub/main',
  allowed: namespacesOf(spec.allowed, own),
  admin: namespacesOf(spec.admin, own),
  adoption: namespacesOf(spec.adoption, own),
});

const rows: [
  name: string,
  policy: TenancyPolicy,
  namespace: string,
  request: { admin?: boolean; adopts?: boolean },
  expected: string | undefined,
][] = [
  ['a Hub with no lists admits its own namespace', hubPolicy({}), 'jhub', {}, undefined],
  [
    'a Hub with no lists refuses another namespace',
    hubPolicy({}),
    'tenant-b',
    {},
    'NamespaceNotAllowed',
  ],
  [
    'a listed namespace is admitted',
    hubPolicy({ allowed: ['course-a'] }),
    'course-a',
    {},
    undefined,
  ],
  [
    'a list replaces the default: the own namespace must be listed',
    hubPolicy({ allowed: ['course-a'] }),
    'jhub',
    {},
    'NamespaceNotAllowed',
  ],
  ['* admits every namespace', hubPolicy({ allowed: ['*'] }), 'anything', {}, undefined],
  [
    'admin: false needs no grant',
    hubPolicy({ allowed: ['*'] }),
    'course-a',
    { admin: false },
    undefined,
  ],
  [
    'admin: true from a namespace that may not grant it',
    hubPolicy({ allowed: ['*'] }),
    'course-a',
    { admin: true },
    'AdminNotAllowed',
  ],
  [
    'admin: true from the Hub own namespace by default',
    hubPolicy({ allowed: ['*'] }),
    'jhub',
    { admin: true },
    undefined,
  ],
  [
    'admin: true from a listed admin namespace',
    hubPolicy({ allowed: ['*'], admin: ['staff'] }),
    'staff',
    { admin: true },
    undefined,
  ],
  [
    'adopting from a namespace that may not',
    hubPolicy({ allowed: ['*'] }),
    'course-a',
    { adopts: true },
    'AdoptionNotAllowed',
  ],
  [
    'adopting from the Hub own namespace by default',
    hubPolicy({ allowed: ['*'] }),
    'jhub',
    { adopts: true },
    undefined,
  ],
  [
    'adopting from a listed adoption namespace',
    hubPolicy({ allowed: ['*'], adoption: ['*'] }),
    'course-a',
    { adopts: true },
    undefined,
  ],
  [
    'settings left unset admit everything',
    { hubName: 'x', allowed: { every: true }, admin: { every: true }, adoption: { every: true } },
    'any',
    { admin: true, adopts: true },
    undefined,
  ],
];

for (const [name, policy, namespace, request, expected] of rows) {
  test(name, () => {
    const refusal =
      admission(policy, namespace) ??
      adminGrant(policy, namespace, request.admin ?? false) ??
      (request.adopts ? adoption(policy, namespace, 'hub user ada') : undefined);
    assert.equal(refusal?.reason, expected, refusal?.message);
  });
}

test('a refusal names the namespace and the hub, and an admin refusal says the flag is left alone', () => {
  const policy = hubPolicy({ allowed: ['*'] });
  assert.equal(
    admission(hubPolicy({}), 'tenant-b')?.message,
    'namespace tenant-b may not declare resources for hub jhub/main',
  );
  assert.match(
    adminGrant(policy, 'course-a', true)?.message ?? '',
    /course-a.*hub jhub\/main.*left as it is/,
  );
  assert.match(adoption(policy, 'course-a', 'hub user ada')?.message ?? '', /^hub user ada exists/);
});
