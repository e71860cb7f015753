// spec.hubRef: which references the schema accepts, that the three declaring kinds take it, and
// hubKeyOf, the identity of the hub an object uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubRefSchema, namespaceListSchema, type HubRef } from '../../src/api/fields.ts';
import { hubKeyOf } from '../../src/api/hub-ref.ts';
import { hubGroupSpecSchema } from '../../src/api/hubgroup.ts';
import { hubServerSpecSchema } from '../../src/api/hubserver.ts';
import { hubUserSpecSchema } from '../../src/api/hubuser.ts';
import { keyOf } from '../../src/api/meta.ts';

const refs: [ref: unknown, valid: boolean][] = [
  [{ name: 'main' }, true],
  [{ name: 'main', namespace: 'jhub' }, true],
  [{ name: 'hub.physics-101' }, true],
  [{ name: 'h'.repeat(253) }, true],
  [{ name: 'main', namespace: 'n'.repeat(63) }, true],
  [{}, false],
  [{ namespace: 'jhub' }, false],
  [{ name: '' }, false],
  [{ name: 'Main' }, false],
  [{ name: 'main-' }, false],
  [{ name: 'a..b' }, false],
  [{ name: 'h'.repeat(254) }, false],
  [{ name: 'main', namespace: '' }, false],
  [{ name: 'main', namespace: 'j.hub' }, false],
  [{ name: 'main', namespace: '*' }, false],
  [{ name: 'main', namespace: 'n'.repeat(64) }, false],
  ['main', false],
];

for (const [ref, valid] of refs) {
  test(`hubRef ${JSON.stringify(ref).slice(0, 60)} is ${valid ? 'accepted' : 'rejected'}`, () => {
    assert.equal(hubRefSchema.safeParse(ref).success, valid);
  });
}

test('hubRef drops unknown fields', () => {
  assert.deepEqual(hubRefSchema.parse({ name: 'main', kind: 'Hub' }), { name: 'main' });
});

const lists: [list: unknown, valid: boolean][] = [
  [[], true],
  [['*'], true],
  [['physics-101', 'chem-201'], true],
  [['a', '*'], true],
  [['a', 'a'], false],
  [['*', '*'], false],
  [['team-*'], false],
  [['A'], false],
  [[''], false],
  ['*', false],
];

for (const [list, valid] of lists) {
  test(`the namespace list ${JSON.stringify(list)} is ${valid ? 'accepted' : 'rejected'}`, () => {
    assert.equal(namespaceListSchema.safeParse(list).success, valid);
  });
}

const specs: [kind: string, parse: (spec: unknown) => { hubRef?: HubRef }, base: object][] = [
  ['HubUser', (spec) => hubUserSpecSchema.parse(spec), {}],
  ['HubGroup', (spec) => hubGroupSpecSchema.parse(spec), {}],
  ['HubServer', (spec) => hubServerSpecSchema.parse(spec), { username: 'alice' }],
];

for (const [kind, parse, base] of specs) {
  test(`a ${kind} spec keeps its hubRef, leaves it unset without one, and rejects a bad one`, () => {
    const hubRef = { name: 'main', namespace: 'jhub' };
    assert.deepEqual(parse({ ...base, hubRef }).hubRef, hubRef);
    assert.equal('hubRef' in parse(base), false);
    assert.throws(() => parse({ ...base, hubRef: { namespace: 'jhub' } }));
  });
}

const object = (namespace: string, hubRef?: HubRef) => ({
  metadata: { namespace },
  spec: hubRef === undefined ? {} : { hubRef },
});

test('hubKeyOf is "" for an object without hubRef: the hub of the settings', () => {
  assert.equal(hubKeyOf(object('physics-101')), '');
});

test("hubKeyOf defaults the Hub's namespace to the object's own", () => {
  assert.equal(hubKeyOf(object('physics-101', { name: 'main' })), 'physics-101/main');
});

test('hubKeyOf uses the namespace the hubRef names', () => {
  assert.equal(hubKeyOf(object('physics-101', { name: 'main', namespace: 'jhub' })), 'jhub/main');
});

test("hubKeyOf equals the Hub's own object key, so one key names one hub however it is referred to", () => {
  const hubKey = keyOf('jhub', 'main');
  assert.equal(hubKeyOf(object('jhub', { name: 'main' })), hubKey);
  assert.equal(hubKeyOf(object('jhub', { name: 'main', namespace: 'jhub' })), hubKey);
  assert.equal(hubKeyOf(object('physics-101', { name: 'main', namespace: 'jhub' })), hubKey);
  assert.notEqual(hubKeyOf(object('physics-101', { name: 'main' })), hubKey);
});

test('hubKeyOf takes a parsed HubUser, HubGroup or HubServer', () => {
  const metadata = { namespace: 'physics-101' };
  const hubRef = { name: 'main', namespace: 'jhub' };
  assert.equal(hubKeyOf({ metadata, spec: hubUserSpecSchema.parse({ hubRef }) }), 'jhub/main');
  assert.equal(hubKeyOf({ metadata, spec: hubGroupSpecSchema.parse({}) }), '');
  const server = hubServerSpecSchema.parse({ username: 'alice', hubRef: { name: 'main' } });
  assert.equal(hubKeyOf({ metadata, spec: server }), 'physics-101/main');
});
