// Which object holds each hub name, as the informer's changes come: the oldest admitted one,
// and the next in line is woken when the holder goes or leaves the name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubUser } from '../../../src/api/hubuser.ts';
import { NameClaims } from '../../../src/controllers/runtime/name-claims.ts';

const user = (name: string, username: string, created: string): HubUser =>
  ({
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: { namespace: 'lab', name, creationTimestamp: created },
    spec: { username },
  }) as unknown as HubUser;

function claimsWith(refused: Set<string> = new Set()): {
  claims: NameClaims<HubUser>;
  woken: string[];
} {
  const woken: string[] = [];
  const claims = new NameClaims<HubUser>(
    (object) => object.spec.username ?? object.metadata.name,
    (key) => woken.push(key),
    (key) => !refused.has(key),
  );
  return { claims, woken };
}

test('the oldest claimant holds a name; the others see who holds it', () => {
  const { claims } = claimsWith();
  claims.observe('added', user('b', 'ada', '2026-01-02T00:00:00Z'));
  claims.observe('added', user('a', 'ada', '2026-01-01T00:00:00Z'));
  claims.observe('added', user('c', 'bob', '2026-01-03T00:00:00Z'));
  assert.equal(claims.winner('ada'), 'lab/a');
  assert.equal(claims.heldElsewhere('ada', 'lab/b'), 'lab/a');
  assert.equal(claims.heldElsewhere('ada', 'lab/a'), undefined);
  assert.equal(claims.winner('bob'), 'lab/c');
  assert.equal(claims.winner('nobody'), undefined);
});

test('when the holder is deleted or takes another name, the next claimant is woken and holds it', () => {
  const { claims, woken } = claimsWith();
  claims.observe('added', user('a', 'ada', '2026-01-01T00:00:00Z'));
  claims.observe('added', user('b', 'ada', '2026-01-02T00:00:00Z'));
  claims.observe('added', user('c', 'ada', '2026-01-03T00:00:00Z'));
  claims.observe('deleted', user('a', 'ada', '2026-01-01T00:00:00Z'));
  assert.deepEqual(woken, ['lab/b']);
  assert.equal(claims.winner('ada'), 'lab/b');
  claims.observe('updated', user('b', 'bea', '2026-01-02T00:00:00Z'));
  assert.deepEqual(woken, ['lab/b', 'lab/c']);
  assert.equal(claims.winner('ada'), 'lab/c');
  assert.equal(claims.winner('bea'), 'lab/b');
  claims.observe('deleted', user('c', 'ada', '2026-01-03T00:00:00Z'));
  assert.equal(claims.winner('ada'), undefined);
  assert.deepEqual(woken, ['lab/b', 'lab/c'], 'no one is left to wake');
});

test('a claimant its hub refuses holds nothing; leaving, it counts as it stood (its cache entry may be gone)', () => {
  const refused = new Set(['lab/a']);
  const { claims, woken } = claimsWith(refused);
  claims.observe('added', user('a', 'ada', '2026-01-01T00:00:00Z'));
  claims.observe('added', user('b', 'ada', '2026-01-02T00:00:00Z'));
  assert.equal(claims.winner('ada'), 'lab/b');
  claims.observe('deleted', user('a', 'ada', '2026-01-01T00:00:00Z'));
  assert.deepEqual(woken, ['lab/b'], 'woken once more: a visit that changes nothing');
  assert.equal(claims.winner('ada'), 'lab/b');
});
