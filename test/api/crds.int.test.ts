// The CRDs of crds/ on a real kube-apiserver: what it accepts and defaults (the same as the zod
// schemas), what it rejects (the schema's patterns and enums, and the CEL rules that keep identity
// fields and hubRef immutable), the status subresource, discovery, and what kubectl shows. One
// fresh namespace per run.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import type { z } from 'zod';
import { hubSpecSchema } from '../../src/api/hub.ts';
import { hubGroupSpecSchema } from '../../src/api/hubgroup.ts';
import { hubServerSpecSchema } from '../../src/api/hubserver.ts';
import { hubTokenSpecSchema } from '../../src/api/hubtoken.ts';
import { hubUserSpecSchema } from '../../src/api/hubuser.ts';
import { apiVersion, category, group, kinds, version, type Kind } from '../../src/api/meta.ts';
import { untilServed } from '../support/kube.ts';
import { loadTestenv } from '../support/testenv.ts';
import { fullHubSpec, hubSpecDefaults, minimalHubSpec } from '../support/hub-specs.ts';

const env = loadTestenv();
const kc = new k8s.KubeConfig();
kc.loadFromFile(env.kubeconfig);
const crdApi = kc.makeApiClient(k8s.ApiextensionsV1Api);
const objects = kc.makeApiClient(k8s.CustomObjectsApi);
// Never deleted: the test API server runs no namespace controller.
const namespace = `api-${randomBytes(4).toString('hex')}`;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

type Spec = Record<string, unknown> | undefined;
type Obj = { spec?: Record<string, unknown>; status?: unknown; metadata: k8s.V1ObjectMeta };

const where = (kind: Kind) => ({ group, version, namespace, plural: kinds[kind].plural });

function create(kind: Kind, name: string, spec: Spec): Promise<Obj> {
  const body = { apiVersion, kind, metadata: { name }, ...(spec === undefined ? {} : { spec }) };
  return objects.createNamespacedCustomObject({ ...where(kind), body }) as Promise<Obj>;
}

function read(kind: Kind, name: string): Promise<Obj> {
  return objects.getNamespacedCustomObject({ ...where(kind), name }) as Promise<Obj>;
}

function patch(kind: Kind, name: string, body: object): Promise<Obj> {
  return objects.patchNamespacedCustomObject(
    { ...where(kind), name, body },
    mergePatch,
  ) as Promise<Obj>;
}

/** The message of a Status that the API server answered with (its JSON body), as kubectl shows it. */
function statusMessage(body: unknown): string {
  try {
    return String((JSON.parse(String(body)) as { message?: unknown }).message ?? body);
  } catch {
    return String(body);
  }
}

/** Resolves when `call` fails with 422 and a message that holds each of `texts`. */
async function rejects422(call: Promise<unknown>, ...texts: string[]): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof k8s.ApiException, String(err));
    assert.equal(err.code, 422, String(err.body));
    const message = statusMessage(err.body);
    for (const text of texts) assert.ok(message.includes(text), message);
    return true;
  });
}

const kubectl = async (...args: string[]): Promise<string> =>
  (
    await promisify(execFile)('kubectl', args, {
      env: { ...process.env, KUBECONFIG: env.kubeconfig },
    })
  ).stdout;

async function applyCrd(file: string): Promise<void> {
  // loadYaml maps `default` and the x-kubernetes-* keys onto the client's model; the client's
  // serializer silently drops them from a plain YAML parse.
  const body = k8s.loadYaml<k8s.V1CustomResourceDefinition>(
    readFileSync(new URL(`../../crds/${file}`, import.meta.url), 'utf8'),
  );
  const name = body.metadata?.name ?? '';
  try {
    await crdApi.createCustomResourceDefinition({ body });
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
    const { metadata } = await crdApi.readCustomResourceDefinition({ name });
    body.metadata = { ...body.metadata, resourceVersion: metadata?.resourceVersion };
    await crdApi.replaceCustomResourceDefinition({ name, body });
  }
  for (let i = 0; i < 100; i++) {
    const crd = await crdApi.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
      return untilServed(kc, body);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} never became Established`);
}

const crdFiles = readdirSync(new URL('../../crds/', import.meta.url)).filter((f) =>
  f.endsWith('.yaml'),
);

before(async () => {
  await Promise.all(crdFiles.map(applyCrd));
  await kc
    .makeApiClient(k8s.CoreV1Api)
    .createNamespace({ body: { metadata: { name: namespace } } });
});

const fullGroup = {
  groupName: 'Staff',
  members: ['alice', 'bob@example.org'],
  memberSelector: {
    matchLabels: { team: 'a' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['x'] },
      { key: 'gone', operator: 'DoesNotExist' },
    ],
  },
  properties: { quota: { cpu: 2 }, tags: ['x'] },
  deletionPolicy: 'Delete',
};
const fullServer = {
  username: 'alice',
  serverName: 'gpu-1',
  state: 'Stopped',
  keepRunning: true,
  userOptions: { image: 'lab:4' },
  displayName: 'GPU box',
  deletionPolicy: 'Retain',
};
const serverDefaults = { serverName: '', state: 'Running', keepRunning: false };
const minimalHub = minimalHubSpec;
const hubDefaults = { tokenSecretRef: { name: 'hub', key: 'token' }, ...hubSpecDefaults };
const fullHub = fullHubSpec;
const specSchemas: Record<Kind, z.ZodType> = {
  Hub: hubSpecSchema,
  HubUser: hubUserSpecSchema,
  HubGroup: hubGroupSpecSchema,
  HubServer: hubServerSpecSchema,
  HubToken: hubTokenSpecSchema,
};

const valid: [what: string, kind: Kind, name: string, spec: Spec, defaults: object][] = [
  ['with no spec', 'HubUser', 'no-spec', undefined, { admin: false }],
  ['with an empty spec', 'HubUser', 'alice', {}, { admin: false }],
  [
    'with every field',
    'HubUser',
    'bob',
    { username: 'bob@example.org', admin: true, deletionPolicy: 'Retain' },
    {},
  ],
  ['with no spec', 'HubGroup', 'no-spec', undefined, { membershipPolicy: 'Exact' }],
  [
    'with every field but the policy',
    'HubGroup',
    'staff',
    fullGroup,
    { membershipPolicy: 'Exact' },
  ],
  ['with a username only', 'HubServer', 'alice', { username: 'alice' }, serverDefaults],
  ['with every field', 'HubServer', 'alice-gpu', fullServer, {}],
  ['with a username only', 'HubToken', 'grader', { username: 'alice' }, {}],
  [
    'with every field',
    'HubToken',
    'ci',
    {
      username: 'alice',
      scopes: ['read:users!user=alice', 'access:servers!server=alice/lab'],
      expiresInSeconds: 3600,
      note: 'CI job',
      secretName: 'ci.token',
      hubRef: { name: 'main' },
    },
    {},
  ],
  [
    'with a hubRef to a Hub of its own namespace',
    'HubUser',
    'ref-own',
    { hubRef: { name: 'main' } },
    { admin: false },
  ],
  [
    'with a hubRef to a Hub of another namespace',
    'HubGroup',
    'ref-other',
    { hubRef: { name: 'hub.main', namespace: 'jhub' } },
    { membershipPolicy: 'Exact' },
  ],
  [
    'with a hubRef',
    'HubServer',
    'ref',
    { username: 'alice', hubRef: { name: 'main' } },
    serverDefaults,
  ],
  ['with a url and a Secret name only', 'Hub', 'minimal', minimalHub, hubDefaults],
  [
    'with a partial request budget',
    'Hub',
    'budget',
    { ...minimalHub, requestBudget: { requestsPerSecond: 5 } },
    {
      ...hubDefaults,
      requestBudget: { ...hubDefaults.requestBudget, requestsPerSecond: 5 },
    },
  ],
  ['with every field', 'Hub', 'full', fullHub, {}],
];

for (const [what, kind, name, spec, defaults] of valid) {
  test(`a ${kind} ${what} is accepted and read back with the defaults ${JSON.stringify(defaults)}`, async () => {
    await create(kind, name, spec);
    const stored = (await read(kind, name)).spec;
    assert.deepEqual(stored, { ...spec, ...defaults });
    // The zod schema fills in the same defaults: what the API server stored parses to itself.
    assert.deepEqual(specSchemas[kind].parse(spec ?? {}), stored);
  });
}

// Each row sets one field of a valid spec; undefined removes it.
const base: Record<Kind, Record<string, unknown>> = {
  Hub: minimalHub,
  HubUser: {},
  HubGroup: {},
  HubServer: { username: 'a' },
  HubToken: { username: 'a' },
};
// `texts` (default: the path alone) must all appear in the API server's answer.
const invalid: [kind: Kind, field: string, value: unknown, path?: string, ...texts: string[]][] = [
  ['HubUser', 'username', 'Alice'],
  ['HubUser', 'username', 'a/b'],
  ['HubUser', 'username', ' alice'],
  ['HubUser', 'deletionPolicy', 'Orphan'],
  ['HubGroup', 'groupName', 'a/b'],
  ['HubGroup', 'members', ['Alice'], 'spec.members[0]'],
  ['HubGroup', 'members', ['alice', 'alice'], 'spec.members[1]'],
  ['HubGroup', 'membershipPolicy', 'Sync'],
  [
    'HubGroup',
    'memberSelector',
    { matchExpressions: [{ key: 'a', operator: 'In' }] },
    'spec.memberSelector.matchExpressions[0]',
  ],
  ['HubServer', 'username', undefined],
  ['HubServer', 'serverName', 'My.Server'],
  ['HubToken', 'username', 'Alice'],
  ['HubToken', 'scopes', ['read users'], 'spec.scopes[0]'],
  ['HubToken', 'expiresInSeconds', 5],
  ['HubToken', 'secretName', 'Not_A_Name'],
  ['HubServer', 'serverName', '1st'],
  ['HubServer', 'serverName', 'a--b'],
  ['HubServer', 'serverName', 'a'.repeat(31)],
  ['HubServer', 'state', 'Paused'],
  ['HubServer', 'displayName', ' GPU'],
  ['HubServer', 'deletionPolicy', 'Keep'],
  ['HubUser', 'hubRef', { namespace: 'jhub' }, 'spec.hubRef.name', 'Required value'],
  ['HubUser', 'hubRef', { name: 'Main' }, 'spec.hubRef.name'],
  ['HubGroup', 'hubRef', { name: 'main', namespace: 'j.hub' }, 'spec.hubRef.namespace'],
  ['HubServer', 'hubRef', { name: 'main', namespace: '*' }, 'spec.hubRef.namespace'],
  ['HubServer', 'hubRef', 'main', 'spec.hubRef', 'must be of type object'],
  ['Hub', 'url', undefined, 'spec.url', 'Required value'],
  ['Hub', 'url', 'hub:8081/hub/api', 'spec.url', String.raw`should match '^https?:\/\/\S+$'`],
  ['Hub', 'url', 'http://hub/hub api', 'spec.url', 'should match'],
  // The wording of a length limit changed: "may not be longer than" (1.31), "more than" (1.36).
  ['Hub', 'url', `http://${'h'.repeat(2042)}`, 'spec.url', 'than 2048'],
  ['Hub', 'tokenSecretRef', undefined, 'spec.tokenSecretRef', 'Required value'],
  ['Hub', 'tokenSecretRef', {}, 'spec.tokenSecretRef.name', 'Required value'],
  ['Hub', 'tokenSecretRef', { name: 'Hub' }, 'spec.tokenSecretRef.name', 'should match'],
  ['Hub', 'tokenSecretRef', { name: 'hub', key: 'a/b' }, 'spec.tokenSecretRef.key'],
  ['Hub', 'tokenSecretRef', { name: 'hub', key: '' }, 'spec.tokenSecretRef.key'],
  [
    'Hub',
    'allowedNamespaces',
    ['physics-101', 'Physics'],
    'spec.allowedNamespaces[1]',
    String.raw`should match '^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$'`,
  ],
  ['Hub', 'allowedNamespaces', ['team-*'], 'spec.allowedNamespaces[0]', 'should match'],
  ['Hub', 'allowedNamespaces', ['a', 'a'], 'spec.allowedNamespaces[1]', 'Duplicate value'],
  ['Hub', 'adminNamespaces', ['n'.repeat(64)], 'spec.adminNamespaces[0]', 'than 63'],
  ['Hub', 'adoptionNamespaces', ['physics.101'], 'spec.adoptionNamespaces[0]', 'should match'],
  [
    'Hub',
    'allowedNamespaces',
    Array.from({ length: 1001 }, (_, i) => `ns-${i}`),
    'spec.allowedNamespaces',
    'must have at most 1000 items',
  ],
  ['Hub', 'resyncSeconds', 0, 'spec.resyncSeconds', 'should be greater than or equal to 1'],
  ['Hub', 'requestBudget', { maxInFlight: 0 }, 'spec.requestBudget.maxInFlight'],
  ['Hub', 'requestBudget', { requestsPerSecond: 0.01 }, 'spec.requestBudget.requestsPerSecond'],
  ['Hub', 'requestBudget', { maxSpawnsInFlight: 0 }, 'spec.requestBudget.maxSpawnsInFlight'],
];

for (const [[kind, field, value, path = `spec.${field}`, ...texts], index] of invalid.map(
  (row, i) => [row, i] as const,
)) {
  const shown = (JSON.stringify(value) ?? 'missing').slice(0, 60);
  test(`a ${kind} with ${field} ${shown} is rejected with 422 naming ${path}`, async () => {
    const spec = { ...base[kind], [field]: value };
    await rejects422(create(kind, `invalid-${index}`, spec), path, ...texts);
  });
}

test('a Hub without a spec is rejected with 422', async () => {
  await rejects422(create('Hub', 'no-spec', undefined), 'spec: Required value');
});

test('a HubServer without a spec is rejected with 422', async () => {
  await rejects422(create('HubServer', 'no-spec', undefined), 'spec: Required value');
});

// Each row creates an object with the field at `from` (undefined: unset) and patches it to `to`
// (null: removed).
const immutable: [kind: Kind, field: string, from: unknown, to: unknown][] = [
  ['HubUser', 'username', 'carol', 'carol2'],
  ['HubUser', 'username', undefined, 'carol'],
  ['HubUser', 'username', 'carol', null],
  ['HubGroup', 'groupName', 'g1', 'g2'],
  ['HubGroup', 'groupName', undefined, 'g1'],
  ['HubGroup', 'groupName', 'g1', null],
  ['HubServer', 'username', 'dave', 'erin'],
  ['HubServer', 'serverName', 'a', 'b'],
  ['HubServer', 'serverName', undefined, 'a'],
  ['HubServer', 'serverName', 'a', null],
  ['HubUser', 'hubRef', { name: 'main' }, { name: 'other' }],
  ['HubUser', 'hubRef', { name: 'main' }, { namespace: 'jhub' }],
  ['HubUser', 'hubRef', undefined, { name: 'main' }],
  ['HubUser', 'hubRef', { name: 'main' }, null],
  ['HubGroup', 'hubRef', { name: 'main' }, { name: 'other' }],
  ['HubGroup', 'hubRef', undefined, { name: 'main' }],
  ['HubServer', 'hubRef', { name: 'main', namespace: 'jhub' }, { namespace: 'other' }],
  ['HubServer', 'hubRef', undefined, { name: 'main' }],
];

for (const [[kind, field, from, to], index] of immutable.map((row, i) => [row, i] as const)) {
  const name = `immutable-${index}`;
  test(`the CEL rule rejects a ${kind} ${field} going from ${JSON.stringify(from) ?? 'unset'} to ${JSON.stringify(to)} with 422`, async () => {
    await create(kind, name, { ...base[kind], [field]: from });
    await rejects422(patch(kind, name, { spec: { [field]: to } }), `spec.${field}`, 'is immutable');
  });
}

test('fields other than the identity can change, with or without an optional identity field', async () => {
  await create('HubUser', 'mutable-1', {});
  await create('HubUser', 'mutable-2', { username: 'frank' });
  await create('HubServer', 'mutable-3', { username: 'frank', serverName: 'x' });
  const admin = { spec: { admin: true } };
  assert.equal((await patch('HubUser', 'mutable-1', admin)).spec?.['admin'], true);
  assert.equal((await patch('HubUser', 'mutable-2', admin)).spec?.['admin'], true);
  const stopped = { spec: { state: 'Stopped', serverName: 'x' } };
  assert.equal((await patch('HubServer', 'mutable-3', stopped)).spec?.['state'], 'Stopped');
});

test('the other fields of an object with a hubRef can change, and the hubRef can be written again unchanged', async () => {
  const hubRef = { name: 'main', namespace: 'jhub' };
  await create('HubUser', 'mutable-ref-1', { hubRef });
  await create('HubGroup', 'mutable-ref-2', { hubRef: { name: 'main' } });
  await create('HubServer', 'mutable-ref-3', { username: 'frank', hubRef });
  const user = await patch('HubUser', 'mutable-ref-1', { spec: { admin: true, hubRef } });
  assert.deepEqual(user.spec, { admin: true, hubRef });
  const group = await patch('HubGroup', 'mutable-ref-2', { spec: { members: ['frank'] } });
  assert.deepEqual(group.spec?.['hubRef'], { name: 'main' });
  const server = await patch('HubServer', 'mutable-ref-3', { spec: { state: 'Stopped' } });
  assert.equal(server.spec?.['state'], 'Stopped');
});

test('every field of a Hub can change after creation', async () => {
  await create('Hub', 'mutable', minimalHub);
  const changed = {
    ...fullHub,
    url: 'http://hub.jhub.svc:8081/hub/api',
    tokenSecretRef: { name: 'rotated', key: 'next' },
  };
  assert.deepEqual((await patch('Hub', 'mutable', { spec: changed })).spec, changed);
  const back = await patch('Hub', 'mutable', {
    spec: { allowedNamespaces: null, adminNamespaces: null, adoptionNamespaces: null },
  });
  assert.equal(back.spec?.['allowedNamespaces'], undefined);
});

const t0 = '2026-01-01T00:00:00Z';
const condition = (type: string) => ({
  type,
  status: 'True',
  reason: 'Done',
  message: '',
  lastTransitionTime: t0,
});

function patchStatus(kind: Kind, name: string, status: object): Promise<unknown> {
  return objects.patchNamespacedCustomObjectStatus(
    { ...where(kind), name, body: { status } },
    mergePatch,
  );
}

test('the status subresource takes a merge patch and validates it; the main resource ignores status', async () => {
  const created = await create('HubServer', 'status', { username: 'grace', serverName: 'nb' });
  const { generation } = created.metadata;
  const status = {
    observedGeneration: generation,
    conditions: [{ ...condition('Ready'), observedGeneration: generation }],
    ownership: 'Created',
    phase: 'Running',
    url: '/user/grace/nb/',
    startedAt: t0,
  };
  await patchStatus('HubServer', 'status', status);
  const after = await read('HubServer', 'status');
  assert.deepEqual(after.status, status);
  assert.equal(after.metadata.generation, generation, 'a status write is no spec change');

  await patch('HubServer', 'status', { status: { phase: 'Failed' } });
  assert.deepEqual((await read('HubServer', 'status')).status, status);
  // Kubernetes 1.29 names status fields without the `status.` prefix in this message.
  await rejects422(
    patchStatus('HubServer', 'status', { phase: 'Bogus' }),
    'phase: Unsupported value: "Bogus"',
  );
});

const hubStatus = {
  observedGeneration: 1,
  conditions: [{ ...condition('Ready'), observedGeneration: 1 }],
  version: '5.5.1',
  features: ['groupProperties'],
  tokenOwner: 'service hubops',
  missingScopes: [],
  users: 42,
  groups: 3,
  runningServers: 7,
  lastSweepTime: t0,
};

test('a Hub status as the operator writes it is stored; a negative count is rejected', async () => {
  await create('Hub', 'status', minimalHub);
  await patchStatus('Hub', 'status', hubStatus);
  assert.deepEqual((await read('Hub', 'status')).status, hubStatus);
  await rejects422(patchStatus('Hub', 'status', { users: -1 }), 'users: Invalid value: -1');
  await rejects422(
    patchStatus('Hub', 'status', { lastSweepTime: 'now' }),
    'lastSweepTime: Invalid value: "now"',
  );
});

test('API discovery lists every kind with its short name, if any, and the jupyterhub category', async () => {
  const { resources } = await objects.getAPIResources({ group, version });
  for (const { kind, plural, shortName } of Object.values(kinds)) {
    const resource = resources.find((r) => r.name === plural);
    assert.ok(resource, `${plural} is not served`);
    assert.equal(resource.kind, kind);
    assert.equal(resource.namespaced, true);
    assert.deepEqual(resource.shortNames ?? [], shortName === undefined ? [] : [shortName]);
    assert.deepEqual(resource.categories, [category]);
  }
});

test('kubectl lists the kinds by short name (hubs by name) and by category, with printer columns that tell the status', async () => {
  await create('HubUser', 'printed', { username: 'heidi' });
  const conditions = [condition('Ready'), condition('Synced')];
  await patchStatus('HubUser', 'printed', { username: 'heidi', admin: true, conditions });

  const short = await kubectl('get', 'hu,hg,hs', '-n', namespace);
  assert.match(short, /NAME +USERNAME +ADMIN +READY +SYNCED +AGE\n/);
  assert.match(short, /NAME +GROUP +MEMBERS +READY +SYNCED +AGE\n/);
  assert.match(short, /NAME +USER +SERVER +PHASE +READY +AGE\n/);
  assert.match(short, /hubuser\.hubops\.io\/printed +heidi +true +True +True /);
  assert.match(short, /hubgroup\.hubops\.io\/staff /);
  assert.match(short, /hubserver\.hubops\.io\/alice-gpu +alice +gpu-1 /);

  const wide = await kubectl('get', 'hs', 'status', '-n', namespace, '-o', 'wide');
  assert.match(wide, /status +grace +nb +Running +True +\/user\/grace\/nb\/ /);

  await create('Hub', 'printed', minimalHub);
  await patchStatus('Hub', 'printed', hubStatus);
  const hubs = await kubectl('get', 'hubs', '-n', namespace);
  assert.match(hubs, /NAME +URL +VERSION +READY +USERS +AGE\n/);
  assert.match(hubs, /\nprinted +http:\/\/hub:8081\/hub\/api +5\.5\.1 +True +42 /);

  await create('HubToken', 'printed', { username: 'heidi' });
  await patchStatus('HubToken', 'printed', {
    conditions,
    tokenId: 'a42',
    username: 'heidi',
    secretName: 'printed',
    issuedAt: t0,
    expiresAt: '2026-01-02T00:00:00Z',
    rotateAt: '2026-01-01T18:00:00Z',
  });
  const tokens = await kubectl('get', 'ht', '-n', namespace);
  assert.match(tokens, /NAME +USER +EXPIRES +READY +AGE\n/);
  assert.match(tokens, /\nprinted +heidi +2026-01-02T00:00:00Z +True /);
  const wideTokens = await kubectl('get', 'ht', 'printed', '-n', namespace, '-o', 'wide');
  assert.match(wideTokens, /NAME +USER +EXPIRES +READY +SECRET +ROTATES +AGE\n/);
  assert.match(
    wideTokens,
    /\nprinted +heidi +2026-01-02T00:00:00Z +True +printed +2026-01-01T18:00:00Z /,
  );

  const all = await kubectl('get', category, '-A');
  for (const name of [
    'hub.hubops.io/printed',
    'hubuser.hubops.io/printed',
    'hubgroup.hubops.io/staff',
    'hubserver.hubops.io/status',
    'hubtoken.hubops.io/printed',
  ]) {
    assert.match(all, new RegExp(`^${namespace} +${name.replaceAll('.', '\\.')} `, 'm'));
  }
});
