// The HubGroup reconciler against the real hub when the hub changes after its sweep: members
// deleted one after another while their removal is under way (their own HubUsers' finalizers, as
// when a course's HubUsers are deleted together), a group made meanwhile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubGroup } from '../../../src/api/hubgroup.ts';
import type { HubUser } from '../../../src/api/hubuser.ts';
import { systemClock } from '../../../src/clock.ts';
import { groupNameOf } from '../../../src/api/hubgroup.ts';
import { MembershipRepairs } from '../../../src/controllers/hubgroup/membership-repairs.ts';
import { HubGroupReconciler } from '../../../src/controllers/hubgroup/reconciler.ts';
import { HubUserIndex } from '../../../src/controllers/hubuser/hubuser-index.ts';
import { NameClaims } from '../../../src/controllers/runtime/name-claims.ts';
import type { ReconcileContext } from '../../../src/controllers/runtime/reconciler.ts';
import type { Hub } from '../../../src/hub/hub.ts';
import { FakeInformer } from '../../support/fake-informer.ts';
import { HubProxy } from '../../support/hub-proxy.ts';
import { singleHub } from '../../support/hubs.ts';
import { silentLogger } from '../../support/logs.ts';
import { realHub, uniqueName } from '../../support/real-hub.ts';
import { loadTestenv } from '../../support/testenv.ts';

const env = loadTestenv();
const admin = realHub(env).hub;
const group = uniqueName('leaving');
const members = Array.from({ length: 8 }, (_, i) => `${group}-${i}`);
let proxy: HubProxy;

before(async () => {
  proxy = await HubProxy.start(env.hubApiUrl);
  await admin.users.createMany(members);
  await admin.groups.create(group, { users: members });
});
after(async () => {
  await admin.groups.delete(group);
  await Promise.all(members.map((name) => admin.users.delete(name)));
  await proxy.stop();
  await admin.close();
});

const context: ReconcileContext = {
  logger: silentLogger,
  priority: 'interactive',
  markManaged: () => Promise.resolve(),
};

/** A reconciler on a client of its own (through the proxy), its snapshot swept. */
async function sweptReconciler(): Promise<{
  reconciler: HubGroupReconciler;
  hub: Hub;
  count: (method: string, route: string) => number;
}> {
  const { hub, count } = realHub(env, { baseUrl: proxy.url() });
  const { hubs, unit } = singleHub(hub, systemClock);
  const { snapshot } = unit;
  const reconciler = new HubGroupReconciler({
    hubs,
    claims: new NameClaims<HubGroup>(groupNameOf, () => {}),
    hubUsers: new HubUserIndex(new FakeInformer<HubUser>(), (user) => hubs.keyOf(user)),
    repairs: new MembershipRepairs(),
    flapped: () => {},
  });
  await snapshot.sweep();
  return { reconciler, hub, count };
}

function hubGroup(
  spec: HubGroup['spec'],
  status?: HubGroup['status'],
  annotations?: Record<string, string>,
): HubGroup {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubGroup',
    metadata: {
      name: 'g',
      namespace: 'ns',
      generation: 1,
      uid: 'g-1',
      ...(annotations ? { annotations } : {}),
    },
    spec,
    ...(status ? { status } : {}),
  };
}

test('members deleted one by one during their removal from the group: the removal still completes', async () => {
  const { reconciler, hub, count } = await sweptReconciler();
  // Each removal call reaches the hub just after one more member is deleted.
  const deleting = [...members];
  proxy.faults = {
    beforeForward: async (r) => {
      const next =
        r.method === 'DELETE' && r.path.endsWith('/users') ? deleting.shift() : undefined;
      if (next !== undefined) await admin.users.delete(next);
    },
  };
  const outcome = await reconciler.reconcile(
    hubGroup(
      { groupName: group, members: [], membershipPolicy: 'Exact' },
      { ownership: 'Created' },
    ),
    context,
  );
  proxy.faults = {};
  await hub.close();
  assert.deepEqual((await admin.groups.get(group))?.users, []);
  assert.equal(outcome.fields['members'], 0);
  assert.equal(
    outcome.conditions.find((c) => c.type === 'Ready')?.status,
    'True',
    JSON.stringify(outcome.conditions),
  );
  assert.equal(count('DELETE', '/groups/{name}/users'), members.length, 'one call per deletion');
});

test('a group made after the sweep, found by the create, is ours only if a claim recorded Created', async () => {
  for (const [annotation, expected] of [
    ['Created', 'Created'],
    [undefined, 'Adopted'],
  ] as const) {
    const { reconciler, hub } = await sweptReconciler();
    const name = uniqueName('late');
    await admin.groups.create(name);
    const outcome = await reconciler.reconcile(
      hubGroup(
        { groupName: name, members: [], membershipPolicy: 'Exact' },
        undefined,
        annotation ? { 'hubops.io/ownership': annotation } : undefined,
      ),
      context,
    );
    await admin.groups.delete(name);
    await hub.close();
    assert.equal(outcome.fields['ownership'], expected, `annotation ${annotation}`);
  }
});
