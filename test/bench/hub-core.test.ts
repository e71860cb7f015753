import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreLists, hubCoreFrom, parseCoreList } from './hub-core.ts';

test('the hub shares the cores unless a core of its own is asked for', () => {
  const cases: [string | undefined, number, 'own' | 'shared'][] = [
    [undefined, 2, 'shared'],
    ['', 8, 'shared'],
    ['shared', 2, 'shared'],
    ['own', 2, 'own'],
    ['own', 4, 'own'],
  ];
  for (const [setting, cores, expected] of cases)
    assert.equal(hubCoreFrom(setting, cores), expected, `${setting} on ${cores} cores`);
});

test('a placement the bench does not know is refused, not guessed', () => {
  assert.throws(() => hubCoreFrom('pinned', 2), /own or shared/);
  assert.throws(() => hubCoreFrom('own', 1), /two cores/);
});

test('the hub takes the last core and everything else the ones before it', () => {
  assert.deepEqual(coreLists([0, 1]), { hub: '1', rest: '0' });
  assert.deepEqual(coreLists([0, 1, 2, 3, 8]), { hub: '8', rest: '0,1,2,3' });
  assert.throws(() => coreLists([0]), /two cores/);
});

test('the allowed cores are read from a kernel core list', () => {
  assert.deepEqual(parseCoreList('0-1\n'), [0, 1]);
  assert.deepEqual(parseCoreList('0-3,8,10-11'), [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual(parseCoreList('5'), [5]);
});
