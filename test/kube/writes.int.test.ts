// Status, finalizers and Events against the real kube-apiserver.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { HubUser } from '../../src/api/hubuser.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import { Finalizers } from '../../src/kube/finalizers.ts';
import { StatusWriter } from '../../src/kube/status.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { silentLogger } from '../support/logs.ts';
import {
  ensureCrds,
  freshNamespace,
  kubeConfig,
  operatorKubeClient,
  until,
} from '../support/kube.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const api = kc.makeApiClient(k8s.CustomObjectsApi);
const kube = operatorKubeClient(env.kubeconfig);
const resource = { group: 'hubops.io', version: 'v1alpha1', plural: 'hubusers', kind: 'HubUser' };
let namespace = '';

before(async () => {
  await ensureCrds(kc);
  namespace = await freshNamespace(kc, 'writes');
});
after(() => kube.close());

async function create(name: string, finalizers?: string[]): Promise<HubUser> {
  return (await api.createNamespacedCustomObject({
    ...resource,
    namespace,
    body: {
      apiVersion: 'hubops.io/v1alpha1',
      kind: 'HubUser',
      metadata: { name, ...(finalizers ? { finalizers } : {}) },
      spec: {},
    },
  })) as HubUser;
}

const read = async (name: string): Promise<HubUser> =>
  (await api.getNamespacedCustomObject({ ...resource, namespace, name })) as HubUser;

test('status round-trips through the subresource, and an unchanged status costs no write', async () => {
  const writer = new StatusWriter(kube, resource);
  const created = await create('status');
  const status = {
    observedGeneration: 1,
    username: 'status',
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Created',
        message: 'ok',
        lastTransitionTime: '2026-11-23T12:00:00Z',
        observedGeneration: 1,
      },
    ],
  };
  assert.ok(await writer.write(created, created.status, status));
  const written = await read('status');
  assert.deepEqual(written.status, status);
  assert.equal(written.spec.admin, false, 'the CRD default applies');

  assert.equal(await writer.write(written, written.status, structuredClone(status)), undefined);
  assert.equal((await read('status')).metadata.resourceVersion, written.metadata.resourceVersion);

  const { username: _gone, ...smaller } = status;
  assert.ok(await writer.write(written, written.status, smaller));
  assert.deepEqual((await read('status')).status, smaller, 'a field that disappeared is removed');
});

test('the finalizer is added once, removed, and never clobbers another finalizer', async () => {
  const finalizers = new Finalizers(kube, resource, 'hubops.io/cleanup');
  const bare = await create('bare');
  const added = await finalizers.add(bare);
  assert.deepEqual(added.metadata.finalizers, ['hubops.io/cleanup']);
  assert.equal(await finalizers.add(added), added, 'already there: no request');
  assert.deepEqual((await finalizers.remove(added)).metadata.finalizers ?? [], []);

  const shared = await create('shared', ['example.com/other']);
  const both = await finalizers.add(shared);
  assert.deepEqual(both.metadata.finalizers, ['example.com/other', 'hubops.io/cleanup']);
  assert.deepEqual((await finalizers.remove(both)).metadata.finalizers, ['example.com/other']);

  // A stale copy (someone changed the list meanwhile) makes the test op fail: nothing is clobbered.
  const stale = await finalizers.add(await read('shared'));
  await api.patchNamespacedCustomObject(
    {
      ...resource,
      namespace,
      name: 'shared',
      body: [{ op: 'remove', path: '/metadata/finalizers/0' }],
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
  );
  await assert.rejects(finalizers.remove(stale));
  assert.deepEqual((await read('shared')).metadata.finalizers, ['hubops.io/cleanup']);
});

test('a claim writes the finalizer and the annotations in one patch, and keeps others', async () => {
  const finalizers = new Finalizers(kube, resource, 'hubops.io/cleanup');
  const marks = { 'hubops.io/ownership': 'Created' };
  const bare = await create('claimed');
  const claimed = await finalizers.ensure(bare, marks);
  assert.deepEqual(claimed.metadata.finalizers, ['hubops.io/cleanup']);
  assert.deepEqual(claimed.metadata.annotations, marks);
  assert.equal(
    Number(claimed.metadata.resourceVersion) > Number(bare.metadata.resourceVersion),
    true,
  );
  assert.equal(await finalizers.ensure(claimed, marks), claimed, 'all there: no request');
  assert.equal(await finalizers.ensure(claimed, {}), claimed);

  // Someone else's annotation (and finalizer) stay; ours joins them.
  await create('annotated', ['example.com/other']);
  await api.patchNamespacedCustomObject(
    {
      ...resource,
      namespace,
      name: 'annotated',
      body: { metadata: { annotations: { 'example.com/note': 'keep' } } },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  const both = await finalizers.ensure(await read('annotated'), marks);
  assert.deepEqual(both.metadata.finalizers, ['example.com/other', 'hubops.io/cleanup']);
  assert.deepEqual(both.metadata.annotations, { 'example.com/note': 'keep', ...marks });

  // A new annotations map is only written over the version read: a stale copy is refused.
  const stale = await create('stale-claim');
  await api.patchNamespacedCustomObject(
    {
      ...resource,
      namespace,
      name: 'stale-claim',
      body: { metadata: { annotations: { 'example.com/note': 'mine' } } },
    },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await assert.rejects(finalizers.ensure(stale, marks));
  assert.deepEqual((await read('stale-claim')).metadata.annotations, {
    'example.com/note': 'mine',
  });
});

test('repeated Events become one Event with a series count', async () => {
  const clock = new ManualClock('manual', Date.now());
  const recorder = new EventRecorder(
    kube,
    { controller: 'hubops.io/operator', instance: 'test', seriesUpdateMs: 60_000 },
    { clock, logger: silentLogger },
  );
  const object = await create('noisy');
  const regarding = {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    namespace,
    name: 'noisy',
    uid: object.metadata.uid ?? '',
  };
  const event = {
    type: 'Warning',
    reason: 'HubUnavailable',
    action: 'Reconcile',
    note: 'the hub did not answer',
  } as const;
  for (let i = 0; i < 5; i++) await recorder.record(regarding, event);
  await clock.advance(60_000);
  const events = kc.makeApiClient(k8s.EventsV1Api);
  await until(
    async () => {
      const list = await events.listNamespacedEvent({ namespace });
      return list.items.length === 1 && list.items[0]?.series?.count === 5;
    },
    10_000,
    'one Event with a series of 5',
  );
  const [only] = (await events.listNamespacedEvent({ namespace })).items;
  assert.equal(only?.reason, 'HubUnavailable');
  assert.equal(only?.regarding?.name, 'noisy');
  assert.equal(only?.reportingController, 'hubops.io/operator');
  await recorder.record(regarding, { ...event, type: 'Normal', reason: 'Recovered', note: 'back' });
  await until(
    async () => (await events.listNamespacedEvent({ namespace })).items.length === 2,
    10_000,
    'a different event',
  );
});
