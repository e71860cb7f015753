// Group calls whose shape matters beyond what the real hub shows: how a large create is split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubFeatures } from '../../src/hub/features.ts';
import { GroupsApi, membershipChunk } from '../../src/hub/groups.ts';
import { faultHubWithClient, json } from '../support/fault-hub.ts';

const fixture = faultHubWithClient();

test('a group created with more members than one call carries gets the rest in a membership call', async () => {
  const members = new Set<string>();
  fixture.hub.otherwise((req, res) => {
    for (const user of (JSON.parse(req.body || '{}') as { users?: string[] }).users ?? [])
      members.add(user);
    json(res, req.url.endsWith('/users') ? 200 : 201, { name: 'big', users: [...members] });
  });
  const groups = new GroupsApi(fixture.client, () => Promise.resolve({} as HubFeatures));
  const users = Array.from({ length: membershipChunk + 1 }, (_, i) => `u${i}`);
  const group = await groups.create('big', { users });
  assert.equal(group.users.length, users.length);
  assert.deepEqual(
    fixture.hub.seen.map(
      (r) => `${r.method} ${r.url} ${(JSON.parse(r.body) as { users: string[] }).users.length}`,
    ),
    [`POST /hub/api/groups/big ${membershipChunk}`, 'POST /hub/api/groups/big/users 1'],
  );
});
