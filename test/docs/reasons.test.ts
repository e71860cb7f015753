// README.md's table of condition reasons against the registry the controllers write from
// (src/controllers/runtime/reasons.ts): every reason a status can carry is explained to users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { reasons } from '../../src/controllers/runtime/reasons.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('README.md explains every condition reason the operator can write, and no other', () => {
  const rows = [...readme.matchAll(/^\| `([A-Za-z]+)` +\| (?:Ready|Synced)/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(rows)].sort(), Object.keys(reasons).sort());
});
