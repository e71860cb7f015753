import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/hub/errors.ts';
import type { HubUser } from '../../src/hub/models.ts';
import { UserBatcher } from '../../src/hub/user-batcher.ts';
import type { UsersApi } from '../../src/hub/users.ts';
import { ManualClock } from '../support/manual-clock.ts';

/** A hub that refuses any bulk create holding a name with "!" and records every call. */
function refusingHub(): { users: UsersApi; calls: string[][] } {
  const calls: string[][] = [];
  const users = {
    createMany: (names: readonly string[]): Promise<HubUser[]> => {
      calls.push([...names]);
      const bad = names.find((name) => name.includes('!'));
      if (bad)
        return Promise.reject(
          new HubError('HUB_INVALID', `POST /users: 400 Invalid username: ${bad}`),
        );
      return Promise.resolve(names.map((name) => ({ name, admin: false })));
    },
  } as unknown as UsersApi;
  return { users, calls };
}

test('names created together go out as one bulk call', async () => {
  const { users, calls } = refusingHub();
  const batcher = new UserBatcher(users, new ManualClock('instant'));
  const results = await Promise.all(['a', 'b', 'c'].map((name) => batcher.create(name, false)));
  assert.deepEqual(calls, [['a', 'b', 'c']]);
  assert.deepEqual(
    results.map((r) => r.outcome),
    ['created', 'created', 'created'],
  );
});

test('a name the hub refuses fails only its own callers, not the names batched with it', async () => {
  const { users, calls } = refusingHub();
  const batcher = new UserBatcher(users, new ManualClock('instant'));
  const results = await Promise.allSettled(
    ['a', 'b!', 'c'].map((name) => batcher.create(name, false)),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  const refused = results[1] as PromiseRejectedResult;
  assert.match((refused.reason as Error).message, /Invalid username: b!/);
  assert.deepEqual(calls, [['a', 'b!', 'c'], ['a'], ['b!'], ['c']]);
});

test('a refusal of a single name is not asked again', async () => {
  const { users, calls } = refusingHub();
  const batcher = new UserBatcher(users, new ManualClock('instant'));
  await assert.rejects(batcher.create('x!', false), /Invalid username: x!/);
  assert.deepEqual(calls, [['x!']]);
});
