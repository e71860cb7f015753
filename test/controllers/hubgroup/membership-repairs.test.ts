// The memory of membership repairs (src/controllers/hubgroup/membership-repairs.ts): which rounds
// of a HubGroup put back what someone else undid, which of them put back the same thing again (a
// flap), when the flaps leave the membership alone, and that the memory holds only repairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  flapThreshold,
  judge,
  MembershipRepairs,
  type MembershipChange,
  type RepairRecord,
} from '../../../src/controllers/hubgroup/membership-repairs.ts';

const created = 'created-1';

/** A settled round of group uid g, generation 1, of hub users all created at `created`. */
function change(overrides: Partial<MembershipChange> = {}): MembershipChange {
  return {
    uid: 'g',
    generation: 1,
    settled: true,
    add: [],
    remove: [],
    declaredAnew: new Set(),
    createdOf: () => created,
    ...overrides,
  };
}

function record(repairs: Record<string, 'add' | 'remove'>, flaps = 0): RepairRecord {
  return {
    uid: 'g',
    generation: 1,
    flaps,
    repairs: new Map(
      Object.entries(repairs).map(([user, direction]) => [user, { direction, created }]),
    ),
  };
}

/** A record as a plain object, to compare. */
function shown(judged: RepairRecord | undefined): unknown {
  return (
    judged && {
      uid: judged.uid,
      generation: judged.generation,
      flaps: judged.flaps,
      repairs: Object.fromEntries([...judged.repairs].map(([user, r]) => [user, r.direction])),
    }
  );
}

const cases: {
  name: string;
  before: RepairRecord | undefined;
  round: MembershipChange;
  flapped: boolean;
  contested: boolean;
  after: unknown;
}[] = [
  {
    name: 'a group in step remembers nothing',
    before: undefined,
    round: change(),
    flapped: false,
    contested: false,
    after: undefined,
  },
  {
    name: 'a first sync is no repair',
    before: undefined,
    round: change({ settled: false, add: ['ada', 'bob'] }),
    flapped: false,
    contested: false,
    after: undefined,
  },
  {
    name: 'a member added back to a settled group is remembered, no flap yet',
    before: undefined,
    round: change({ add: ['ada'] }),
    flapped: false,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 0, repairs: { ada: 'add' } },
  },
  {
    name: 'the same member added back again is a flap',
    before: record({ ada: 'add' }),
    round: change({ add: ['ada'] }),
    flapped: true,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 1, repairs: { ada: 'add' } },
  },
  {
    name: 'one round with many repeated members is one flap',
    before: record({ ada: 'add', bob: 'add' }),
    round: change({ add: ['ada', 'bob'] }),
    flapped: true,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 1, repairs: { ada: 'add', bob: 'add' } },
  },
  {
    name: 'another member added back is a repair, not a flap',
    before: record({ ada: 'add' }),
    round: change({ add: ['bob'] }),
    flapped: false,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 0, repairs: { ada: 'add', bob: 'add' } },
  },
  {
    name: 'a member removed again is a flap, as an added one is',
    before: record({ eve: 'remove' }),
    round: change({ remove: ['eve'] }),
    flapped: true,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 1, repairs: { eve: 'remove' } },
  },
  {
    name: 'a member removed after it was added back is no flap: the two undid different things',
    before: record({ ada: 'add' }),
    round: change({ remove: ['ada'] }),
    flapped: false,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 0, repairs: { ada: 'remove' } },
  },
  {
    name: 'a hub user deleted and created anew is another user: no flap',
    before: record({ ada: 'add' }),
    round: change({ add: ['ada'], createdOf: () => 'created-2' }),
    flapped: false,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 0, repairs: { ada: 'add' } },
  },
  {
    name: 'a member that joined by selector is no repair',
    before: undefined,
    round: change({ add: ['cy'], declaredAnew: new Set(['cy']) }),
    flapped: false,
    contested: false,
    after: undefined,
  },
  {
    name: 'a member that left and joined again by selector loses its history',
    before: record({ cy: 'add', ada: 'add' }, 1),
    round: change({ add: ['cy'], declaredAnew: new Set(['cy']) }),
    flapped: false,
    contested: false,
    after: { uid: 'g', generation: 1, flaps: 1, repairs: { ada: 'add' } },
  },
  {
    name: 'a changed spec starts afresh: its first round is no repair',
    before: record({ ada: 'add' }, 2),
    round: change({ generation: 2, settled: false, add: ['ada'] }),
    flapped: false,
    contested: false,
    after: undefined,
  },
  {
    name: 'a group made again under the same name starts afresh',
    before: record({ ada: 'add' }, 2),
    round: change({ uid: 'g2', add: ['ada'] }),
    flapped: false,
    contested: false,
    after: { uid: 'g2', generation: 1, flaps: 0, repairs: { ada: 'add' } },
  },
  {
    name: `the flap that makes ${flapThreshold} contests the membership and drops the members`,
    before: record({ ada: 'add' }, flapThreshold - 1),
    round: change({ add: ['ada'] }),
    flapped: true,
    contested: true,
    after: { uid: 'g', generation: 1, flaps: flapThreshold, repairs: {} },
  },
  {
    name: 'a contested group stays contested while its spec is the same',
    before: record({}, flapThreshold),
    round: change(),
    flapped: false,
    contested: true,
    after: { uid: 'g', generation: 1, flaps: flapThreshold, repairs: {} },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const judged = judge(c.before, c.round);
    assert.equal(judged.flapped, c.flapped, 'flapped');
    assert.equal(judged.contested, c.contested, 'contested');
    assert.deepEqual(shown(judged.record), c.after);
  });
}

test('a member added back at every login flaps at the second login, and is contested at the fourth', () => {
  const rounds = [
    { settled: false, add: ['ada'] }, // the first sync
    { add: ['ada'] }, // login 1 undid it: a repair
    { add: ['ada'] }, // login 2: flap 1
    { add: ['ada'] }, // login 3: flap 2
    { add: ['ada'] }, // login 4: flap 3
  ];
  let kept: RepairRecord | undefined;
  const verdicts = rounds.map((round) => {
    const judged = judge(kept, change(round));
    kept = judged.record;
    return [judged.flapped, judged.contested];
  });
  assert.deepEqual(verdicts, [
    [false, false],
    [false, false],
    [true, false],
    [true, false],
    [true, true],
  ]);
});

test('the memory holds only groups with repairs, and forgets a group whole', () => {
  const memory = new MembershipRepairs();
  const inStep = judge(memory.recordOf('ns/in-step'), change({ add: [] }));
  memory.keep('ns/in-step', inStep.record);
  const repaired = judge(memory.recordOf('ns/repaired'), change({ add: ['ada', 'bob'] }));
  memory.keep('ns/repaired', repaired.record);
  memory.reselected('ns/selecting', 'cy');
  assert.deepEqual(memory.size, { groups: 2, members: 3 });

  memory.forget('ns/repaired');
  assert.equal(memory.recordOf('ns/repaired'), undefined);
  assert.deepEqual([...memory.takeReselected('ns/selecting')], ['cy']);
  assert.deepEqual([...memory.takeReselected('ns/selecting')], [], 'taken once');
  assert.deepEqual(memory.size, { groups: 0, members: 0 });
});

test('a large group in step costs the memory nothing, and a flapping one only its repaired members', () => {
  const memory = new MembershipRepairs();
  const members = Array.from({ length: 50_000 }, (_, i) => `user-${i}`);
  // The first sync of 50,000 members, then a round in step.
  for (const round of [change({ settled: false, add: members }), change()])
    memory.keep('ns/big', judge(memory.recordOf('ns/big'), round).record);
  assert.deepEqual(memory.size, { groups: 0, members: 0 });
  memory.keep('ns/big', judge(memory.recordOf('ns/big'), change({ add: ['user-7'] })).record);
  assert.deepEqual(memory.size, { groups: 1, members: 1 });
});
