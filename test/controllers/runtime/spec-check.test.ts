// The last check of a spec against its kind's schema: once per cached version, a problem
// reported as news once per object and generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { SpecCheck } from '../../../src/controllers/runtime/spec-check.ts';
import type { KindObject } from '../../../src/controllers/runtime/reconciler.ts';

let parses = 0;
const schema = z.object({ username: z.string().min(1) }).refine(() => {
  parses += 1;
  return true;
});

const version = (uid: string, generation: number, username: string): KindObject =>
  ({
    metadata: { namespace: 'lab', name: 'ada', uid, generation },
    spec: { username },
  }) as unknown as KindObject;

test('a valid cached version is parsed once, and a new version is parsed again', () => {
  const check = new SpecCheck(schema);
  const first = version('u1', 1, 'ada');
  parses = 0;
  assert.deepEqual(check.check('lab/ada', first), { problem: undefined, fresh: true });
  assert.deepEqual(check.check('lab/ada', first), { problem: undefined, fresh: false });
  assert.equal(parses, 1);
  check.check('lab/ada', version('u1', 1, 'ada'));
  assert.equal(parses, 2);
});

test('a problem names the field, and is news once per object and generation', () => {
  const check = new SpecCheck(schema);
  const problem = check.check('lab/ada', version('u1', 1, ''));
  assert.equal(problem.fresh, true);
  assert.match(problem.problem ?? '', /^spec\.username: /);
  assert.equal(check.check('lab/ada', version('u1', 1, '')).fresh, false, 'same generation');
  assert.equal(check.check('lab/ada', version('u1', 2, '')).fresh, true, 'a new generation');
  assert.equal(check.check('lab/ada', version('u2', 2, '')).fresh, true, 'made again: another uid');
  assert.equal(check.check('lab/ada', version('u2', 3, 'ada')).problem, undefined, 'mended');
  assert.equal(check.check('lab/ada', version('u2', 4, '')).fresh, true, 'broken again');
  check.forget('lab/ada');
  assert.equal(check.check('lab/ada', version('u2', 4, '')).fresh, true, 'forgotten on deletion');
});
