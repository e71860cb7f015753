// The CRDs of crds/ on a real kube-apiserver: what it accepts and defaults, what it rejects (the
// schema's patterns and enums, and the CEL rules that keep identity fields immutable), the status
// subresource, discovery, and what kubectl shows. One fresh namespace per run.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { apiVersion, category, group, kinds, version, type Kind } from '../../src/api/meta.ts';
import { loadTestenv } from '../support/testenv.ts';

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

/** Resolves when `call` fails with 422 and a message that holds each of `texts`. */
async function rejects422(call: Promise<unknown>, ...texts: string[]): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof k8s.ApiException, String(err));
    assert.equal(err.code, 422, String(err.body));
    for (const text of texts) assert.ok(String(err.body).includes(text), String(err.body));
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
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} never became Established`);
}

before(async () => {
  await Promise.all(['hubusers.yaml', 'hubgroups.yaml', 'hubservers.yaml'].map(applyCrd));
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
];

for (const [what, kind, name, spec, defaults] of valid) {
  test(`a ${kind} ${what} is accepted and read back with the defaults ${JSON.stringify(defaults)}`, async () => {
    await create(kind, name, spec);
    assert.deepEqual((await read(kind, name)).spec, { ...spec, ...defaults });
  });
}

// Each row sets one field of a valid spec; undefined removes it.
const base: Record<Kind, Record<string, unknown>> = {
  HubUser: {},
  HubGroup: {},
  HubServer: { username: 'a' },
};
const invalid: [kind: Kind, field: string, value: unknown, path?: string][] = [
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
  ['HubServer', 'serverName', '1st'],
  ['HubServer', 'serverName', 'a--b'],
  ['HubServer', 'serverName', 'a'.repeat(31)],
  ['HubServer', 'state', 'Paused'],
  ['HubServer', 'displayName', ' GPU'],
  ['HubServer', 'deletionPolicy', 'Keep'],
];

for (const [[kind, field, value, path = `spec.${field}`], index] of invalid.map(
  (row, i) => [row, i] as const,
)) {
  test(`a ${kind} with ${field} ${JSON.stringify(value) ?? 'missing'} is rejected with 422 naming ${path}`, async () => {
    await rejects422(create(kind, `invalid-${index}`, { ...base[kind], [field]: value }), path);
  });
}

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
  await rejects422(patchStatus('HubServer', 'status', { phase: 'Bogus' }), 'status.phase');
});

test('API discovery lists all three kinds with their short names and the jupyterhub category', async () => {
  const { resources } = await objects.getAPIResources({ group, version });
  for (const { kind, plural, shortName } of Object.values(kinds)) {
    const resource = resources.find((r) => r.name === plural);
    assert.ok(resource, `${plural} is not served`);
    assert.equal(resource.kind, kind);
    assert.equal(resource.namespaced, true);
    assert.deepEqual(resource.shortNames, [shortName]);
    assert.deepEqual(resource.categories, [category]);
  }
});

test('kubectl lists the kinds by short name and by category, with printer columns that tell the status', async () => {
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

  const all = await kubectl('get', category, '-A');
  for (const name of [
    'hubuser.hubops.io/printed',
    'hubgroup.hubops.io/staff',
    'hubserver.hubops.io/status',
  ]) {
    assert.match(all, new RegExp(`^${namespace} +${name.replaceAll('.', '\\.')} `, 'm'));
  }
});
