import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  nextTokenVisit,
  planToken,
  rotationDue,
  type HeldToken,
  type ListedToken,
  type SecretState,
  type TokenPlan,
} from '../../src/plan/hubtoken.ts';

const hour = 3_600_000;
const desired = { username: 'ada', fingerprint: 'f1' };
const held = (extra: Partial<HeldToken> = {}): HeldToken => ({
  id: 'a1',
  username: 'ada',
  fingerprint: 'f1',
  issuedAt: 0,
  expiresAt: hour,
  intact: true,
  ...extra,
});
const holding = (
  current?: HeldToken,
  previous?: { id: string; revokeAt: number },
): SecretState => ({
  kind: 'held',
  current,
  previous: previous ? { ...previous, username: 'ada' } : undefined,
});
const listed = (...ids: string[]): ListedToken[] => ids.map((id) => ({ id, username: 'ada' }));
// With a one-hour token the grace is min(180 s, 6 min) = 180 s.
const grace = 180_000;

const rows: [
  name: string,
  secret: SecretState,
  hub: ListedToken[],
  issuedBefore: boolean,
  now: number,
  plan: TokenPlan,
][] = [
  [
    'a first visit issues a token',
    { kind: 'missing' },
    [],
    false,
    0,
    { kind: 'plan', issue: 'Issued', revoke: [] },
  ],
  [
    "a Secret of that name that is not the HubToken's is a conflict, whatever the hub holds",
    { kind: 'foreign' },
    listed('a1'),
    true,
    0,
    { kind: 'conflict' },
  ],
  [
    'a token held, listed and not due needs nothing',
    holding(held()),
    listed('a1'),
    true,
    hour / 2,
    { kind: 'plan', revoke: [] },
  ],
  [
    'a token issued before a crash and never written is revoked, the held one kept',
    holding(held()),
    listed('a1', 'a2'),
    true,
    hour / 2,
    { kind: 'plan', revoke: listed('a2') },
  ],
  [
    'a token past 80 % of its life is rotated, the old one kept for the grace period',
    holding(held()),
    listed('a1'),
    true,
    0.8 * hour,
    { kind: 'plan', issue: 'Rotated', keepHeldUntil: 0.8 * hour + grace, revoke: [] },
  ],
  [
    'a token issued under another spec is replaced, with the same grace',
    holding(held({ fingerprint: 'f0' })),
    listed('a1'),
    true,
    10,
    { kind: 'plan', issue: 'SpecChanged', keepHeldUntil: 10 + grace, revoke: [] },
  ],
  [
    'a Secret deleted by hand gets a new token, and every old one is revoked at once',
    { kind: 'missing' },
    listed('a1'),
    true,
    10,
    { kind: 'plan', issue: 'SecretMissing', revoke: listed('a1') },
  ],
  [
    'a Secret edited by hand gets a new token, and the exposed one is revoked at once',
    holding(held({ intact: false })),
    listed('a1'),
    true,
    10,
    { kind: 'plan', issue: 'SecretEdited', revoke: listed('a1') },
  ],
  [
    'a token someone revoked in the hub is issued anew',
    holding(held()),
    [],
    true,
    10,
    { kind: 'plan', issue: 'RevokedInHub', revoke: [] },
  ],
  [
    'a token the hub dropped after it expired is issued anew as Expired',
    holding(held()),
    [],
    true,
    hour + 1,
    { kind: 'plan', issue: 'Expired', revoke: [] },
  ],
  [
    'a replaced token is kept until its time, then revoked',
    holding(held({ id: 'a2' }), { id: 'a1', revokeAt: 100 }),
    listed('a1', 'a2'),
    true,
    99,
    { kind: 'plan', revoke: [] },
  ],
  [
    'a replaced token past its time is revoked',
    holding(held({ id: 'a2' }), { id: 'a1', revokeAt: 100 }),
    listed('a1', 'a2'),
    true,
    100,
    { kind: 'plan', revoke: listed('a1') },
  ],
  [
    'a second replacement within the grace revokes the first replaced token at once',
    holding(held({ id: 'a2', fingerprint: 'f0' }), { id: 'a1', revokeAt: 1_000 }),
    listed('a1', 'a2'),
    true,
    10,
    { kind: 'plan', issue: 'SpecChanged', keepHeldUntil: 10 + grace, revoke: listed('a1') },
  ],
  [
    'a token that never expires is never rotated',
    holding(held({ expiresAt: undefined })),
    listed('a1'),
    true,
    1000 * hour,
    { kind: 'plan', revoke: [] },
  ],
  [
    'a short-lived token is kept for a tenth of its life, not the whole grace',
    holding(held({ expiresAt: 20_000 })),
    listed('a1'),
    true,
    16_000,
    { kind: 'plan', issue: 'Rotated', keepHeldUntil: 18_000, revoke: [] },
  ],
];

for (const [name, secret, hub, issuedBefore, now, plan] of rows) {
  test(name, () => {
    assert.deepEqual(planToken(desired, secret, hub, issuedBefore, now), plan);
  });
}

test('rotation falls between 70 % and 80 % of the lifetime, the same for the same token', () => {
  const dues = Array.from({ length: 200 }, (_, i) =>
    rotationDue({ id: `a${i}`, issuedAt: 0, expiresAt: 1_000_000 }),
  );
  for (const due of dues) assert.ok(due !== undefined && due >= 700_000 && due < 800_000, `${due}`);
  assert.ok(new Set(dues).size > 150, 'tokens issued together spread over the band');
  assert.equal(
    rotationDue({ id: 'a7', issuedAt: 0, expiresAt: 1_000_000 }),
    rotationDue({ id: 'a7', issuedAt: 0, expiresAt: 1_000_000 }),
  );
});

test('the next visit is the earlier of the rotation and the replaced token revocation', () => {
  const token = { id: 'a1', issuedAt: 0, expiresAt: hour };
  const due = rotationDue(token) ?? 0;
  assert.equal(nextTokenVisit(token, undefined), due);
  assert.equal(nextTokenVisit(token, { id: 'a0', username: 'ada', revokeAt: 5 }), 5);
  assert.equal(nextTokenVisit({ ...token, expiresAt: undefined }, undefined), undefined);
});
