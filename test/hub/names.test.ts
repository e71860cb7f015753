import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverNameProblem, usernameProblem } from '../../src/hub/names.ts';

const usernames: [name: string, valid: boolean][] = [
  ['alice', true],
  ['alice@example.org', true],
  ['a.b+c_d-e', true],
  ['x'.repeat(255), true],
  ['', false],
  ['x'.repeat(256), false],
  ['Alice', false],
  ['a/b', false],
  [' alice', false],
  ['alice ', false],
];

for (const [name, valid] of usernames) {
  test(`username ${JSON.stringify(name.length > 20 ? `${name.slice(0, 5)}...(${name.length})` : name)} is ${valid ? 'valid' : 'invalid'}`, () => {
    assert.equal(usernameProblem(name) === undefined, valid, usernameProblem(name));
  });
}

const servers: [name: string, v5: boolean, v6: boolean][] = [
  ['', true, true],
  ['nb1', true, true],
  ['my-server', true, true],
  ['a'.repeat(30), true, true],
  ['a'.repeat(31), true, false],
  ['My Server!', true, false],
  ['1st', true, false],
  ['a--b', true, false],
  ['ends-', true, false],
  ['dot.ted', true, false],
  ['a/b', false, false],
];

for (const [name, v5, v6] of servers) {
  test(`server name ${JSON.stringify(name)} is ${v5 ? 'valid' : 'invalid'} before 6.0 and ${v6 ? 'valid' : 'invalid'} from 6.0`, () => {
    assert.equal(serverNameProblem(name, false) === undefined, v5);
    assert.equal(serverNameProblem(name, true) === undefined, v6);
  });
}
