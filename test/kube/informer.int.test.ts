// The supervised informer against the real kube-apiserver, including a restart of the server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { systemClock } from '../../src/clock.ts';
import type { HubUser } from '../../src/api/hubuser.ts';
import { Informer, type ChangeKind } from '../../src/kube/informer.ts';
import { silentLogger } from '../support/logs.ts';
import {
  ensureCrds,
  freshNamespace,
  kubeConfig,
  operatorKubeClient,
  restartApiServer,
  until,
} from '../support/kube.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const api = kc.makeApiClient(k8s.CustomObjectsApi);
const kube = operatorKubeClient(env.kubeconfig);
const resource = { group: 'hubops.io', version: 'v1alpha1', plural: 'hubusers' };
let namespace = '';
let informer: Informer<HubUser>;
const changes: string[] = [];
const restarts: string[] = [];

before(async () => {
  await ensureCrds(kc);
  namespace = await freshNamespace(kc, 'informer');
  informer = new Informer<HubUser>(
    kube,
    {
      path: `/apis/hubops.io/v1alpha1/namespaces/${namespace}/hubusers`,
      restartMinMs: 200,
      restartMaxMs: 2_000,
    },
    {
      clock: systemClock,
      logger: silentLogger,
      observer: { restarted: (reason) => restarts.push(reason) },
    },
  );
  informer.onChange((change: ChangeKind, object) =>
    changes.push(`${change} ${object.metadata.name} ${String(object.spec.admin)}`),
  );
  informer.start();
  await informer.synced;
});
after(async () => {
  await informer.stop();
  await kube.close();
});

function create(name: string, admin = false): Promise<unknown> {
  return api.createNamespacedCustomObject({
    ...resource,
    namespace,
    body: {
      apiVersion: 'hubops.io/v1alpha1',
      kind: 'HubUser',
      metadata: { name },
      spec: { admin },
    },
  });
}

function setAdmin(name: string, admin: boolean): Promise<unknown> {
  return api.patchNamespacedCustomObject(
    { ...resource, namespace, name, body: { spec: { admin } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

const remove = (name: string): Promise<unknown> =>
  api.deleteNamespacedCustomObject({ ...resource, namespace, name });

test('sees objects added, updated and deleted, and keeps the cache in step', async () => {
  await create('ann');
  await until(() => changes.includes('added ann false'), 10_000, 'add event');
  await setAdmin('ann', true);
  await until(() => changes.includes('updated ann true'), 10_000, 'update event');
  assert.equal(informer.get(namespace, 'ann')?.spec.admin, true);
  const cached = informer.get(namespace, 'ann') as
    { metadata: { managedFields?: unknown } } | undefined;
  assert.equal(cached?.metadata.managedFields, undefined, 'managedFields are not kept');
  await remove('ann');
  await until(() => changes.includes('deleted ann true'), 10_000, 'delete event');
  assert.equal(informer.get(namespace, 'ann'), undefined);
});

test('survives the API server being stopped and restarted, and loses no change', async (t) => {
  await create('before');
  await create('doomed');
  await until(() => changes.includes('added doomed false'), 10_000, 'add event');
  const restartsBefore = restarts.length;
  await restartApiServer(env, 3_000);
  // Changes made right after the restart, while the informer may still be backing off.
  await create('after');
  await setAdmin('before', true);
  await remove('doomed');
  await until(
    () =>
      ['added after false', 'updated before true', 'deleted doomed false'].every((c) =>
        changes.includes(c),
      ),
    30_000,
    'changes made after the restart',
  );
  assert.ok(
    restarts.length > restartsBefore,
    'the watch failed while the server was down and was restarted',
  );
  t.diagnostic(
    `watch restarts during the API server restart: ${restarts.length - restartsBefore} (${restarts.slice(restartsBefore).join(', ')})`,
  );
  assert.deepEqual(
    informer
      .list()
      .map((o) => o.metadata.name)
      .sort(),
    ['after', 'before'],
  );
});

test('stop() ends the watch for good', async () => {
  const quiet = new Informer<HubUser>(
    kube,
    {
      path: `/apis/hubops.io/v1alpha1/namespaces/${namespace}/hubusers`,
    },
    { clock: systemClock, logger: silentLogger },
  );
  const seen: string[] = [];
  quiet.onChange((change, object) => seen.push(`${change} ${object.metadata.name}`));
  quiet.start();
  await quiet.synced;
  await quiet.stop();
  const count = seen.length;
  await create('unseen');
  await until(() => changes.includes('added unseen false'), 10_000, 'the other informer sees it');
  assert.equal(seen.length, count, 'no event after stop');
});

test('lists in pages of its page size, caches every object, then watches from that list', async () => {
  for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await create(name);
  const pages: { limit?: unknown; continue?: unknown }[] = [];
  const counting = Object.create(kube) as typeof kube;
  counting.request = <R>(...args: Parameters<typeof kube.request>): Promise<R> => {
    pages.push(args[2]?.query ?? {});
    return kube.request<R>(...args);
  };
  counting.watch = kube.watch.bind(kube);
  const paged = new Informer<HubUser>(
    counting,
    { path: `/apis/hubops.io/v1alpha1/namespaces/${namespace}/hubusers`, pageSize: 2 },
    { clock: systemClock, logger: silentLogger },
  );
  paged.start();
  try {
    await paged.synced;
    const listed = informer.list().length;
    assert.ok(listed >= 5, `the namespace holds ${listed} HubUsers`);
    assert.equal(paged.list().length, listed, 'every page cached');
    assert.equal(pages.length, Math.ceil(listed / 2), 'one request per page of 2');
    assert.ok(pages.every((query) => query.limit === 2));
    assert.equal(pages[0]?.continue, '', 'the first page has no continue token');
    assert.ok(
      pages.slice(1).every((query) => typeof query.continue === 'string' && query.continue !== ''),
    );
    await create('after-pages');
    await until(
      () => paged.get(namespace, 'after-pages') !== undefined,
      10_000,
      'watched after the list',
    );
  } finally {
    await paged.stop();
  }
});

test('an optional informer of a resource the cluster does not serve counts as synced and empty', async () => {
  const path = `/apis/hubops.io/v1alpha1/namespaces/${namespace}/notservedhere`;
  const options = { path, restartMinMs: 200, restartMaxMs: 400 };
  const deps = { clock: systemClock, logger: silentLogger };
  const optional = new Informer<HubUser>(kube, { ...options, optional: true }, deps);
  const required = new Informer<HubUser>(kube, options, deps);
  optional.start();
  required.start();
  try {
    await optional.synced;
    assert.equal(optional.isSynced, true);
    assert.deepEqual(optional.list(), []);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(required.isSynced, false, 'a required one waits for the resource');
  } finally {
    await optional.stop();
    await required.stop();
  }
});
