// What a HubToken's token is issued with (requestOf) and which spec changes replace it
// (fingerprintOf): the fingerprint is stored in the Secret, so a field it misses would leave a
// token issued under an old spec in place, and a field it wrongly holds would rotate for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubToken, HubTokenSpec } from '../../../src/api/hubtoken.ts';
import {
  fingerprintOf,
  markerOf,
  noteOf,
  requestOf,
} from '../../../src/controllers/hubtoken/token-request.ts';

const token = (
  spec: Partial<HubTokenSpec> = {},
  metadata: Record<string, unknown> = {},
  status?: Record<string, unknown>,
): HubToken =>
  ({
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubToken',
    metadata: { namespace: 'course-ml', name: 'grader', uid: 'u-1', generation: 1, ...metadata },
    spec: { username: 'grader-bot', ...spec },
    ...(status ? { status } : {}),
  }) as unknown as HubToken;

const base = token({ scopes: ['read:users'], expiresInSeconds: 3600, note: 'nightly grading' });

test('the fingerprint changes with each field the token is issued with', () => {
  const changed: [string, HubToken][] = [
    ['another user', token({ ...base.spec, username: 'other-bot' })],
    ['a scope more', token({ ...base.spec, scopes: ['read:users', 'servers'] })],
    ['scopes unset', token({ ...base.spec, scopes: undefined })],
    ['another lifetime', token({ ...base.spec, expiresInSeconds: 7200 })],
    ['no lifetime', token({ ...base.spec, expiresInSeconds: undefined })],
    ['another note', token({ ...base.spec, note: 'weekly grading' })],
    ['no note', token({ ...base.spec, note: undefined })],
  ];
  const seen = new Set([fingerprintOf(base)]);
  for (const [what, object] of changed) {
    const fingerprint = fingerprintOf(object);
    assert.notEqual(fingerprint, fingerprintOf(base), what);
    seen.add(fingerprint);
  }
  assert.equal(seen.size, changed.length + 1, 'no two specs share a fingerprint');
});

test('the fingerprint ignores what the token is not issued with: Secret, hub, names, metadata, status', () => {
  const same: [string, HubToken][] = [
    ['another Secret', token({ ...base.spec, secretName: 'grader-token' })],
    ['a hubRef', token({ ...base.spec, hubRef: { name: 'main' } })],
    ['another name and namespace', token(base.spec, { namespace: 'course-2', name: 'g2' })],
    ['another uid', token(base.spec, { uid: 'u-2' })],
    ['a later generation', token(base.spec, { generation: 7 })],
    ['labels and annotations', token(base.spec, { labels: { a: 'b' }, annotations: { c: 'd' } })],
    ['a status', token(base.spec, {}, { tokenId: 'a42', expiresAt: '2026-01-01T00:00:00Z' })],
  ];
  for (const [what, object] of same) assert.equal(fingerprintOf(object), fingerprintOf(base), what);
});

test('the fingerprint of a spec is the same from release to release, so an upgrade rotates nothing', () => {
  // Secrets written by earlier releases hold this value; a new digest would replace every token.
  assert.equal(fingerprintOf(base), 'e29a3e28d4da98d2');
  assert.match(fingerprintOf(token()), /^[0-9a-f]{16}$/);
});

test('the request carries the scopes and lifetime only when the spec sets them, and a note naming the HubToken', () => {
  assert.deepEqual(requestOf(base), {
    note: 'nightly grading - HubToken course-ml/grader (hubops:u-1)',
    scopes: ['read:users'],
    expiresInSeconds: 3600,
  });
  const bare = requestOf(token());
  assert.deepEqual(bare, { note: 'issued for HubToken course-ml/grader (hubops:u-1)' });
  assert.ok(!('scopes' in bare) && !('expiresInSeconds' in bare), 'unset: the hub decides');
});

test('the note holds the marker the operator finds its tokens by, also for an object without a uid yet', () => {
  assert.equal(markerOf(base), 'hubops:u-1');
  assert.ok(noteOf(base).includes(markerOf(base)));
  const unsaved = token({}, { uid: undefined });
  assert.equal(markerOf(unsaved), 'hubops:course-ml/grader');
  assert.ok(requestOf(unsaved).note.includes('hubops:course-ml/grader'));
});
