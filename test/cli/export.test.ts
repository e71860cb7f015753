// What `hubops export` makes of a hub: the manifests that, applied, adopt everything and change
// nothing (the end-to-end proof of that, against the real hub and operator, is export.int).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportManifests, type ExportOptions } from '../../src/cli/export.ts';
import type { HubGroup, HubUser } from '../../src/hub/models.ts';
import { hubGroupSpecSchema } from '../../src/api/hubgroup.ts';
import { hubServerSpecSchema } from '../../src/api/hubserver.ts';
import { hubUserSpecSchema } from '../../src/api/hubuser.ts';

const user = (name: string, admin = false, servers: HubUser['servers'] = {}): HubUser => ({
  name,
  admin,
  servers,
});
const hub = {
  users: new Map([
    ['ada', user('ada', true)],
    [
      'bob@uni.edu',
      user('bob@uni.edu', false, {
        '': { name: '', ready: true } as never,
        lab: { name: 'lab', ready: true } as never,
        old: { name: 'old', ready: false } as never,
      }),
    ],
  ]),
  groups: new Map<string, HubGroup>([
    ['ml', { name: 'ml', users: ['bob@uni.edu', 'ada'], properties: { course: 'ML' } }],
    ['Staff Room', { name: 'Staff Room', users: [] }],
  ]),
};
const options: ExportOptions = { namespace: 'course', users: true, groups: true, servers: true };

test('every exported object retains its hub object and says what the hub has', () => {
  const manifests = exportManifests(hub, options);
  const names = manifests.map((m) => `${m.kind} ${m.metadata.name}`);
  const expected = [
    /^HubUser ada$/,
    /^HubUser bob-uni\.edu-[0-9a-f]{8}$/,
    /^HubGroup staff-room-[0-9a-f]{8}$/,
    /^HubGroup ml$/,
    /^HubServer bob-uni\.edu-default-[0-9a-f]{8}$/,
    /^HubServer bob-uni\.edu-lab-[0-9a-f]{8}$/,
  ];
  assert.equal(names.length, expected.length, names.join(', '));
  names.forEach((name, i) => assert.match(name, expected[i] ?? /^$/));
  for (const m of manifests) {
    assert.equal(m.spec['deletionPolicy'], 'Retain');
    assert.equal(m.metadata.namespace, 'course');
  }
  const [ada, bob, staff, ml, bobDefault, bobLab] = manifests;
  assert.deepEqual(ada?.spec, { admin: true, deletionPolicy: 'Retain' });
  assert.equal(bob?.spec['username'], 'bob@uni.edu', 'the hub name where the object name differs');
  assert.deepEqual(ml?.spec, {
    members: ['ada', 'bob@uni.edu'],
    properties: { course: 'ML' },
    deletionPolicy: 'Retain',
  });
  assert.equal(staff?.spec['groupName'], 'Staff Room');
  assert.deepEqual(bobDefault?.spec, {
    username: 'bob@uni.edu',
    serverName: '',
    state: 'Running',
    deletionPolicy: 'Retain',
  });
  assert.equal(bobLab?.spec['serverName'], 'lab');
});

test('every exported spec passes its kind schema', () => {
  const schemas = {
    HubUser: hubUserSpecSchema,
    HubGroup: hubGroupSpecSchema,
    HubServer: hubServerSpecSchema,
  };
  for (const m of exportManifests(hub, { ...options, hubRef: { name: 'main', namespace: 'jhub' } }))
    assert.equal(schemas[m.kind].safeParse(m.spec).success, true, JSON.stringify(m));
});

test('kinds, a name filter, a hub reference and labels on HubUsers', () => {
  const manifests = exportManifests(hub, {
    namespace: 'course',
    users: true,
    groups: false,
    servers: false,
    match: /^a/u,
    hubRef: { name: 'main' },
    userLabels: { course: 'ml' },
  });
  assert.deepEqual(manifests, [
    {
      apiVersion: 'hubops.io/v1alpha1',
      kind: 'HubUser',
      metadata: { name: 'ada', namespace: 'course', labels: { course: 'ml' } },
      spec: { admin: true, deletionPolicy: 'Retain', hubRef: { name: 'main' } },
    },
  ]);
});

test('with observe, every resource is exported with managementPolicy Observe', () => {
  const manifests = exportManifests(hub, { ...options, observe: true });
  assert.ok(manifests.length > 0);
  for (const m of manifests) assert.equal(m.spec['managementPolicy'], 'Observe', m.metadata.name);
  assert.equal(
    exportManifests(hub, options).some((m) => 'managementPolicy' in m.spec),
    false,
    'without it, no managementPolicy is written',
  );
});
