// The plan of a server's shares, row by row: what is granted, narrowed and revoked for the
// declared users and groups under Exact and Additive, and what a deleted server takes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  planShareRemoval,
  planShares,
  type DesiredShare,
  type ShareAction,
} from '../../src/plan/shares.ts';
import type { HubShare } from '../../src/hub/models.ts';

const access = 'access:servers!server=ada/lab';
const read = 'read:servers!server=ada/lab';
const bob = { user: 'bob' };
const tas = { group: 'tas' };
const held = (target: HubShare['target'], scopes: string[]) => ({ target, scopes });

const rows: {
  name: string;
  desired: DesiredShare[];
  observed: ReturnType<typeof held>[];
  policy?: 'Exact' | 'Additive';
  actions: ShareAction[];
}[] = [
  {
    name: 'a declared user without a share is granted its scopes',
    desired: [{ target: bob, scopes: [access] }],
    observed: [],
    actions: [{ op: 'grant', target: bob, scopes: [access] }],
  },
  {
    name: 'a share that holds every declared scope needs nothing',
    desired: [{ target: tas, scopes: [access, read] }],
    observed: [held(tas, [access, read])],
    actions: [],
  },
  {
    name: 'a missing scope is granted alone, merged into the share',
    desired: [{ target: tas, scopes: [access, read] }],
    observed: [held(tas, [access])],
    actions: [{ op: 'grant', target: tas, scopes: [read] }],
  },
  {
    name: 'under Exact a scope no longer declared is taken back',
    desired: [{ target: bob, scopes: [access] }],
    observed: [held(bob, [access, read])],
    actions: [{ op: 'revoke', target: bob, scopes: [read] }],
  },
  {
    name: 'under Exact a share no longer declared is revoked whole',
    desired: [{ target: bob, scopes: [access] }],
    observed: [held(bob, [access]), held(tas, [access])],
    actions: [{ op: 'revoke', target: tas }],
  },
  {
    name: 'a user and a group of the same name are two targets',
    desired: [{ target: { user: 'tas' }, scopes: [access] }],
    observed: [held(tas, [access])],
    actions: [
      { op: 'grant', target: { user: 'tas' }, scopes: [access] },
      { op: 'revoke', target: tas },
    ],
  },
  {
    name: 'Additive grants what is missing and takes nothing back',
    desired: [{ target: bob, scopes: [access] }],
    observed: [held(bob, [read]), held(tas, [access])],
    policy: 'Additive',
    actions: [{ op: 'grant', target: bob, scopes: [access] }],
  },
  {
    name: 'an empty declaration under Exact revokes every share of the server',
    desired: [],
    observed: [held(bob, [access]), held(tas, [read])],
    actions: [
      { op: 'revoke', target: bob },
      { op: 'revoke', target: tas },
    ],
  },
];

for (const row of rows) {
  test(row.name, () => {
    assert.deepEqual(planShares(row.desired, row.observed, row.policy ?? 'Exact'), row.actions);
  });
}

const removalRows: {
  name: string;
  desired: DesiredShare[];
  observed: ReturnType<typeof held>[];
  policy: 'Exact' | 'Additive';
  actions: ShareAction[];
}[] = [
  {
    name: 'a deleted server under Exact revokes every share it has, declared or not',
    desired: [{ target: bob, scopes: [access] }],
    observed: [held(bob, [access, read]), held(tas, [access])],
    policy: 'Exact',
    actions: [
      { op: 'revoke', target: bob },
      { op: 'revoke', target: tas },
    ],
  },
  {
    name: 'a deleted server with no shares left revokes nothing',
    desired: [{ target: bob, scopes: [access] }],
    observed: [],
    policy: 'Exact',
    actions: [],
  },
  {
    name: 'a deleted server under Additive takes back only the declared scopes still held',
    desired: [
      { target: bob, scopes: [access, read] },
      { target: tas, scopes: [access] },
    ],
    observed: [held(bob, [access]), held({ user: 'carol' }, [access])],
    policy: 'Additive',
    actions: [{ op: 'revoke', target: bob, scopes: [access] }],
  },
  {
    name: 'under Additive a scope granted by hand beside the declared one stays',
    desired: [{ target: bob, scopes: [access] }],
    observed: [held(bob, [access, read])],
    policy: 'Additive',
    actions: [{ op: 'revoke', target: bob, scopes: [access] }],
  },
];

for (const row of removalRows) {
  test(row.name, () => {
    assert.deepEqual(planShareRemoval(row.desired, row.observed, row.policy), row.actions);
  });
}
