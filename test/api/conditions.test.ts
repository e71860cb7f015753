// The condition rules as tables: when lastTransitionTime moves, that other types survive, and when
// a write of conditions would change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  conditionSchema,
  conditionsEqual,
  findCondition,
  setCondition,
  type Condition,
  type ConditionUpdate,
} from '../../src/api/conditions.ts';

const t0 = '2026-01-01T00:00:00Z';
const t1 = '2026-01-01T00:05:00Z';

const ready = (status: Condition['status'], extra: Partial<Condition> = {}): Condition => ({
  type: 'Ready',
  status,
  lastTransitionTime: t0,
  reason: status === 'True' ? 'Reconciled' : 'HubError',
  message: '',
  ...extra,
});
const synced: Condition = {
  type: 'Synced',
  status: 'True',
  lastTransitionTime: t0,
  reason: 'Synced',
  message: '',
};
const update = (
  status: Condition['status'],
  extra: Partial<ConditionUpdate> = {},
): ConditionUpdate => ({
  type: 'Ready',
  status,
  reason: status === 'True' ? 'Reconciled' : 'HubError',
  message: '',
  ...extra,
});

const setRows: [
  name: string,
  before: Condition[] | undefined,
  next: ConditionUpdate,
  after: Condition[],
][] = [
  [
    'a first condition is added with now as its transition time',
    undefined,
    update('True'),
    [ready('True', { lastTransitionTime: t1 })],
  ],
  [
    'a condition is appended after the other types',
    [synced],
    update('True'),
    [synced, ready('True', { lastTransitionTime: t1 })],
  ],
  [
    'a status flip moves the transition time to now',
    [ready('True'), synced],
    update('False'),
    [ready('False', { lastTransitionTime: t1 }), synced],
  ],
  [
    'an unchanged status keeps the transition time',
    [ready('True')],
    update('True'),
    [ready('True')],
  ],
  [
    'a new reason, message and generation with the same status keep the transition time',
    [synced, ready('False')],
    update('False', { reason: 'UserMissing', message: 'no user bob', observedGeneration: 3 }),
    [
      synced,
      ready('False', { reason: 'UserMissing', message: 'no user bob', observedGeneration: 3 }),
    ],
  ],
  [
    'Unknown to False is a flip too',
    [ready('Unknown')],
    update('False'),
    [ready('False', { lastTransitionTime: t1 })],
  ],
];

for (const [name, before, next, after] of setRows) {
  test(`setCondition: ${name}`, () => {
    const copy = structuredClone(before);
    assert.deepEqual(setCondition(before, next, t1), after);
    assert.deepEqual(before, copy, 'the input list is left as it was');
  });
}

test('setCondition drops a lastTransitionTime the caller passed along', () => {
  const next = { ...update('False'), lastTransitionTime: t0 } as ConditionUpdate;
  assert.deepEqual(setCondition([ready('True')], next, t1), [
    ready('False', { lastTransitionTime: t1 }),
  ]);
});

test('findCondition returns the condition of the type, or undefined', () => {
  assert.deepEqual(findCondition([synced, ready('True')], 'Ready'), ready('True'));
  assert.equal(findCondition([synced], 'Ready'), undefined);
  assert.equal(findCondition(undefined, 'Ready'), undefined);
});

const equalRows: [
  name: string,
  a: Condition[] | undefined,
  b: Condition[] | undefined,
  equal: boolean,
][] = [
  ['the same list', [ready('True'), synced], [ready('True'), synced], true],
  ['the same conditions in another order', [ready('True'), synced], [synced, ready('True')], true],
  ['a missing list and an empty one', undefined, [], true],
  ['a flipped status', [ready('True')], [ready('False')], false],
  ['another reason', [ready('True')], [ready('True', { reason: 'Adopted' })], false],
  ['another message', [ready('True')], [ready('True', { message: 'x' })], false],
  ['another transition time', [ready('True')], [ready('True', { lastTransitionTime: t1 })], false],
  ['an observedGeneration set', [ready('True')], [ready('True', { observedGeneration: 2 })], false],
  ['an added condition', [ready('True')], [ready('True'), synced], false],
  ['a removed condition', [ready('True'), synced], [synced], false],
  ['one type replaced by another', [ready('True')], [synced], false],
];

for (const [name, a, b, equal] of equalRows) {
  test(`conditionsEqual tells ${name} ${equal ? 'equal' : 'apart'}`, () => {
    assert.equal(conditionsEqual(a, b), equal);
    assert.equal(conditionsEqual(b, a), equal);
  });
}

const schemaRows: [name: string, condition: Record<string, unknown>, valid: boolean][] = [
  ['a standard Ready condition', { ...ready('True'), observedGeneration: 1 }, true],
  ['a domain-prefixed type', { ...synced, type: 'hubops.io/Adopted' }, true],
  [
    'a time with an offset and fractions',
    { ...synced, lastTransitionTime: '2026-01-01T01:00:00.123+01:00' },
    true,
  ],
  ['a status other than True, False and Unknown', { ...synced, status: 'Yes' }, false],
  ['an empty reason', { ...synced, reason: '' }, false],
  ['a reason with spaces', { ...synced, reason: 'hub error' }, false],
  ['a missing message', { ...synced, message: undefined }, false],
  ['a time that is not RFC 3339', { ...synced, lastTransitionTime: 'yesterday' }, false],
  ['a negative observedGeneration', { ...synced, observedGeneration: -1 }, false],
];

for (const [name, condition, valid] of schemaRows) {
  test(`the condition schema ${valid ? 'accepts' : 'rejects'} ${name}`, () => {
    assert.equal(conditionSchema.safeParse(condition).success, valid);
  });
}
