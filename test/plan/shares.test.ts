// The plan of a server's shares, row by row: what is granted, narrowed and revoked for the
// declared users and groups under Exact and Additive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planShares, type DesiredShare, type ShareAction } from '../../src/plan/shares.ts';
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
