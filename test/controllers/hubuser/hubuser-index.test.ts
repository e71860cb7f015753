// Whether a namespace owns a hub user, or may be about to: what HubServers and HubTokens applied
// together with their HubUser wait for rather than refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubUser } from '../../../src/api/hubuser.ts';
import { HubUserIndex } from '../../../src/controllers/hubuser/hubuser-index.ts';
import { FakeInformer } from '../../support/fake-informer.ts';

const user = (
  namespace: string,
  metadata: { generation?: number; deletionTimestamp?: string },
  status?: Record<string, unknown>,
): HubUser =>
  ({
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: { namespace, name: 'grace', ...metadata },
    spec: {},
    ...(status ? { status } : {}),
  }) as unknown as HubUser;

const cases: {
  name: string;
  object: HubUser;
  owns: boolean;
  pending: boolean;
}[] = [
  {
    name: 'never reconciled',
    object: user('course', { generation: 1 }),
    owns: false,
    pending: true,
  },
  {
    name: 'reconciled and created',
    object: user('course', { generation: 1 }, { observedGeneration: 1, ownership: 'Created' }),
    owns: true,
    pending: false,
  },
  {
    name: 'reconciled and adopted',
    object: user('course', { generation: 1 }, { observedGeneration: 1, ownership: 'Adopted' }),
    owns: false,
    pending: false,
  },
  {
    name: 'reconciled and refused (no ownership recorded)',
    object: user('course', { generation: 2 }, { observedGeneration: 2 }),
    owns: false,
    pending: false,
  },
  {
    name: 'changed since it was refused',
    object: user('course', { generation: 3 }, { observedGeneration: 2 }),
    owns: false,
    pending: true,
  },
  {
    name: 'being deleted',
    object: user('course', { generation: 1, deletionTimestamp: '2026-12-05T00:00:00Z' }),
    owns: false,
    pending: false,
  },
  {
    name: 'in another namespace',
    object: user('other', { generation: 1 }),
    owns: false,
    pending: false,
  },
];

for (const { name, object, owns, pending } of cases) {
  test(`a HubUser ${name}: owns ${owns}, ownership pending ${pending}`, () => {
    const informer = new FakeInformer<HubUser>();
    const index = new HubUserIndex(informer, () => 'hub');
    informer.emit('added', object);
    assert.equal(index.owns('hub', 'course', 'grace'), owns);
    assert.equal(index.ownershipPending('hub', 'course', 'grace'), pending);
  });
}
