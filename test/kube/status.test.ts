import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusPatch } from '../../src/kube/status.ts';

const condition = {
  type: 'Ready',
  status: 'True',
  reason: 'Created',
  message: 'ok',
  lastTransitionTime: '2026-11-23T12:00:00Z',
};

const rows: [
  name: string,
  current: Record<string, unknown>,
  next: Record<string, unknown>,
  patch: unknown,
][] = [
  [
    'an equal status needs no write',
    { observedGeneration: 2, conditions: [condition] },
    { observedGeneration: 2, conditions: [{ ...condition }] },
    undefined,
  ],
  [
    'undefined fields count as absent',
    { observedGeneration: 2 },
    { observedGeneration: 2, url: undefined },
    undefined,
  ],
  [
    'a changed field is written whole',
    { observedGeneration: 1, admin: false },
    { observedGeneration: 2, admin: false },
    { observedGeneration: 2, admin: false },
  ],
  [
    'a field that disappeared is nulled',
    { observedGeneration: 1, url: '/user/a/' },
    { observedGeneration: 1 },
    { observedGeneration: 1, url: null },
  ],
  ['a first status is written', {}, { observedGeneration: 1 }, { observedGeneration: 1 }],
];

for (const [name, current, next, patch] of rows) {
  test(name, () => {
    assert.deepEqual(statusPatch(current, next), patch);
  });
}
