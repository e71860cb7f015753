// The Hub spec schema as a table: what it accepts, the defaults it fills in (the same as the
// CRD's), what it drops and what it rejects; its status as the operator writes it; tokenKeyOf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubSpecSchema, hubStatusSchema, tokenKeyOf, type Hub } from '../../src/api/hub.ts';
import { apiVersion } from '../../src/api/meta.ts';
import { fullHubSpec, hubSpecDefaults, minimalHubSpec } from '../support/hub-specs.ts';

const minimal = minimalHubSpec;
const defaults = hubSpecDefaults;
const full = fullHubSpec;
const withField = (field: string, value: unknown): object => ({ ...minimal, [field]: value });

const rows: [name: string, spec: unknown, parsed: object | 'invalid'][] = [
  [
    'a url and a Secret name get the token key, resync period and request budget defaults',
    minimal,
    { ...minimal, tokenSecretRef: { name: 'hub', key: 'token' }, ...defaults },
  ],
  ['a full spec is kept as it is', full, full],
  [
    'a partial request budget gets the other limits by default',
    withField('requestBudget', { maxInFlight: 4 }),
    {
      ...minimal,
      tokenSecretRef: { name: 'hub', key: 'token' },
      ...defaults,
      requestBudget: { ...defaults.requestBudget, maxInFlight: 4 },
    },
  ],
  [
    'every namespace may be allowed with "*"',
    withField('allowedNamespaces', ['*']),
    {
      ...minimal,
      tokenSecretRef: { name: 'hub', key: 'token' },
      allowedNamespaces: ['*'],
      ...defaults,
    },
  ],
  [
    'an unknown field is dropped',
    withField('replicas', 3),
    { ...minimal, tokenSecretRef: { name: 'hub', key: 'token' }, ...defaults },
  ],
  ['an empty spec is rejected', {}, 'invalid'],
  ['a spec without a url is rejected', { tokenSecretRef: { name: 'hub' } }, 'invalid'],
  ['a spec without tokenSecretRef is rejected', { url: minimal.url }, 'invalid'],
  ['a url without a scheme is rejected', withField('url', 'hub:8081/hub/api'), 'invalid'],
  ['an ftp url is rejected', withField('url', 'ftp://hub/hub/api'), 'invalid'],
  ['a url with a space is rejected', withField('url', 'http://hub/hub api'), 'invalid'],
  [
    'a url of 2049 characters is rejected',
    withField('url', `http://${'h'.repeat(2042)}`),
    'invalid',
  ],
  ['a Secret without a name is rejected', withField('tokenSecretRef', {}), 'invalid'],
  ['an uppercase Secret name is rejected', withField('tokenSecretRef', { name: 'Hub' }), 'invalid'],
  [
    'an empty Secret key is rejected',
    withField('tokenSecretRef', { name: 'hub', key: '' }),
    'invalid',
  ],
  [
    'a Secret key with a slash is rejected',
    withField('tokenSecretRef', { name: 'hub', key: 'a/b' }),
    'invalid',
  ],
  ['an uppercase namespace is rejected', withField('allowedNamespaces', ['Physics']), 'invalid'],
  ['a namespace with a dot is rejected', withField('adminNamespaces', ['physics.101']), 'invalid'],
  [
    'a namespace of 64 characters is rejected',
    withField('adoptionNamespaces', ['n'.repeat(64)]),
    'invalid',
  ],
  ['a pattern other than "*" is rejected', withField('allowedNamespaces', ['team-*']), 'invalid'],
  ['a namespace listed twice is rejected', withField('allowedNamespaces', ['a', 'a']), 'invalid'],
  [
    'a list of 1001 namespaces is rejected',
    withField(
      'allowedNamespaces',
      Array.from({ length: 1001 }, (_, i) => `ns-${i}`),
    ),
    'invalid',
  ],
  ['a resync period of 0 is rejected', withField('resyncSeconds', 0), 'invalid'],
  ['a fractional resync period is rejected', withField('resyncSeconds', 1.5), 'invalid'],
  ['no request in flight is rejected', withField('requestBudget', { maxInFlight: 0 }), 'invalid'],
  [
    'a rate below 0.1 a second is rejected',
    withField('requestBudget', { requestsPerSecond: 0.05 }),
    'invalid',
  ],
  [
    'no server start in flight is rejected',
    withField('requestBudget', { maxSpawnsInFlight: 0 }),
    'invalid',
  ],
];

for (const [name, spec, parsed] of rows) {
  test(`Hub spec: ${name}`, () => {
    const result = hubSpecSchema.safeParse(spec);
    if (parsed === 'invalid') assert.equal(result.success, false, JSON.stringify(result.data));
    else assert.deepEqual(result.data, parsed, result.error?.message);
  });
}

test('a Hub status as the operator writes it parses back unchanged', () => {
  const status = {
    observedGeneration: 3,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        observedGeneration: 3,
        lastTransitionTime: '2026-01-01T00:00:00Z',
        reason: 'ScopesMissing',
        message: 'the token lacks admin:servers',
      },
    ],
    version: '5.5.1',
    features: ['groupProperties'],
    tokenOwner: 'service hubops',
    missingScopes: ['admin:servers'],
    users: 120,
    groups: 4,
    runningServers: 0,
    lastSweepTime: '2026-01-01T00:00:00.000Z',
  };
  assert.deepEqual(hubStatusSchema.parse(status), status);
  assert.equal(hubStatusSchema.safeParse({ ...status, users: -1 }).success, false);
  assert.equal(hubStatusSchema.safeParse({ ...status, lastSweepTime: 'now' }).success, false);
});

function hub(tokenSecretRef: { name: string; key?: string }): Hub {
  return {
    apiVersion,
    kind: 'Hub',
    metadata: { name: 'main', namespace: 'jhub' },
    spec: { ...hubSpecSchema.parse({ ...minimal }), tokenSecretRef } as Hub['spec'],
  };
}

test('tokenKeyOf is the key the Hub names in its Secret', () => {
  assert.equal(
    tokenKeyOf(hub({ name: 'hub', key: 'hub.services.hubops.apiToken' })),
    'hub.services.hubops.apiToken',
  );
});

test('tokenKeyOf is "token" for a Hub whose key the API server has not defaulted', () => {
  assert.equal(tokenKeyOf(hub({ name: 'hub' })), 'token');
  assert.equal(tokenKeyOf(hub(hubSpecSchema.parse(minimal).tokenSecretRef)), 'token');
});
