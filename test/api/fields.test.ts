// JupyterHub's naming rules as the CRDs and the zod schemas state them, row by row, and checked
// against the hub client's own rules (src/hub/names.ts) so that the layers cannot disagree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  displayNameSchema,
  groupNameSchema,
  serverNameSchema,
  usernameSchema,
} from '../../src/api/fields.ts';
import { serverNameProblem, usernameProblem } from '../../src/hub/names.ts';

const show = (name: string): string =>
  JSON.stringify(name.length > 20 ? `${name.slice(0, 5)}...(${name.length})` : name);

const usernames: [name: string, valid: boolean][] = [
  ['alice', true],
  ['alice@example.org', true],
  ['a.b+c_d-e', true],
  ['émile', true],
  ['北京', true],
  ['a b', true],
  ['x', true],
  ['x'.repeat(255), true],
  ['', false],
  ['x'.repeat(256), false],
  ['Alice', false],
  ['Émile', false],
  ['a/b', false],
  [' alice', false],
  ['alice ', false],
  ['\talice', false],
  ['alice\n', false],
  ['\u00a0alice', false],
  ['alice\u3000', false],
  [' ', false],
];

for (const [name, valid] of usernames) {
  test(`username ${show(name)} is ${valid ? 'accepted' : 'rejected'}, as the hub client rules`, () => {
    assert.equal(usernameSchema.safeParse(name).success, valid);
    assert.equal(usernameProblem(name) === undefined, valid, 'src/hub/names.ts disagrees');
  });
}

const serverNames: [name: string, valid: boolean][] = [
  ['', true],
  ['nb1', true],
  ['my-server', true],
  ['a-1-b', true],
  ['x', true],
  ['a'.repeat(30), true],
  ['a'.repeat(31), false],
  ['My.Server', false],
  ['my.server', false],
  ['1st', false],
  ['-a', false],
  ['a--b', false],
  ['ends-', false],
  ['my server', false],
  ['a/b', false],
];

for (const [name, valid] of serverNames) {
  test(`server name ${show(name)} is ${valid ? 'accepted' : 'rejected'}, as JupyterHub 6 rules`, () => {
    assert.equal(serverNameSchema.safeParse(name).success, valid);
    assert.equal(serverNameProblem(name, true) === undefined, valid, 'src/hub/names.ts disagrees');
  });
}

const groupNames: [name: string, valid: boolean][] = [
  ['staff', true],
  ['Data Science', true],
  ['g'.repeat(255), true],
  ['', false],
  ['g'.repeat(256), false],
  ['a/b', false],
];

for (const [name, valid] of groupNames) {
  test(`group name ${show(name)} is ${valid ? 'accepted' : 'rejected'}`, () => {
    assert.equal(groupNameSchema.safeParse(name).success, valid);
  });
}

// The rows of JupyterHub 6's own test of is_valid_display_name, plus the ones the CRD cares about.
const displayNames: [name: string, valid: boolean][] = [
  ['My Notebook', true],
  ['eèéêë', true],
  ['北京大学', true],
  ['🐧 🦆 🐣', true],
  ['∇²φ=0', true],
  ['x', true],
  ['x'.repeat(255), true],
  ['', false],
  ['x'.repeat(256), false],
  [' x', false],
  ['x ', false],
  ['x  x', false],
  ['x\tx', false],
  ['x\nx', false],
  ['x\u00a0x', false],
];

for (const [name, valid] of displayNames) {
  test(`display name ${show(name)} is ${valid ? 'accepted' : 'rejected'}`, () => {
    assert.equal(displayNameSchema.safeParse(name).success, valid);
  });
}
