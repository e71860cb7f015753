// What a paused round says in Ready: the Ready status states for the current generation stands
// while it is True or a decision that lasts until the spec changes; anything else gives way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../../../src/api/conditions.ts';
import { paused, standingDecision } from '../../../src/controllers/runtime/conditions.ts';

const at = (generation: number, ready: Partial<Condition>) => ({
  metadata: { generation: 2 },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Created',
        message: 'hub user ada is as the spec says',
        lastTransitionTime: '2026-12-06T00:00:00Z',
        observedGeneration: generation,
        ...ready,
      } as Condition,
    ],
  },
});

const rows: { name: string; object: ReturnType<typeof at>; standing: string | undefined }[] = [
  {
    name: 'a deletion respected at this generation stands',
    object: at(2, { reason: 'DeletedInHub', message: 'left deleted' }),
    standing: 'True DeletedInHub',
  },
  {
    name: 'a Ready True of the user as declared stands',
    object: at(2, {}),
    standing: 'True Created',
  },
  {
    name: 'a membership left to the authenticator stands though Ready is False',
    object: at(2, { status: 'False', reason: 'ManagedByAuthenticator', message: 'left alone' }),
    standing: 'False ManagedByAuthenticator',
  },
  {
    name: 'a failure is no decision',
    object: at(2, { status: 'False', reason: 'HubUnavailable', message: 'hub down' }),
    standing: undefined,
  },
  {
    name: 'a Ready stated for an older generation says nothing of this spec',
    object: at(1, { reason: 'DeletedInHub' }),
    standing: undefined,
  },
];

for (const row of rows) {
  test(row.name, () => {
    const standing = standingDecision(row.object);
    assert.equal(standing && `${standing.status} ${standing.reason}`, row.standing);
  });
}

test('a paused round that matches keeps the standing Ready and says Paused in Synced', () => {
  const [ready, synced] = paused(true, '', standingDecision(at(2, { reason: 'DeletedInHub' })));
  assert.deepEqual(
    [ready?.reason, ready?.status, synced?.reason, synced?.status],
    ['DeletedInHub', 'True', 'Paused', 'False'],
  );
});

test('a paused round with drift says how the hub differs, whatever stood before', () => {
  const [ready] = paused(false, 'create user ada', standingDecision(at(2, {})));
  assert.deepEqual([ready?.reason, ready?.status], ['Paused', 'False']);
  assert.match(ready?.message ?? '', /create user ada/);
});

test('a paused round that matches with nothing standing says Paused in Ready', () => {
  const [ready] = paused(true, '');
  assert.deepEqual([ready?.reason, ready?.status], ['Paused', 'True']);
});
