import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  planServer,
  planServerDeletion,
  type DesiredServer,
  type ObservedServer,
  type ServerStep,
} from '../../src/plan/hubserver.ts';

const want = (extra: Partial<DesiredServer> = {}): DesiredServer => ({
  state: 'Running',
  keepRunning: false,
  generation: 2,
  startedGeneration: undefined,
  ...extra,
});
const ready: ObservedServer = { ready: true, pending: null };

const rows: [
  name: string,
  desired: DesiredServer,
  observed: ObservedServer | undefined,
  step: ServerStep,
][] = [
  ['a server never started is started', want(), undefined, { kind: 'start' }],
  [
    'a running server needs nothing',
    want(),
    ready,
    { kind: 'none', phase: 'Running', reason: 'Running' },
  ],
  [
    'a spawn in progress is waited for',
    want(),
    { ready: false, pending: 'spawn' },
    { kind: 'wait', reason: 'Starting' },
  ],
  [
    'a stop in progress is waited for',
    want({ state: 'Stopped' }),
    { ready: false, pending: 'stop' },
    { kind: 'wait', reason: 'Stopping' },
  ],
  [
    'a server stopped by someone else after our start is left alone',
    want({ startedGeneration: 2 }),
    undefined,
    { kind: 'none', phase: 'Stopped', reason: 'StoppedOutsideOperator' },
  ],
  [
    'a changed spec starts it once more',
    want({ startedGeneration: 1 }),
    undefined,
    { kind: 'start' },
  ],
  [
    'keepRunning starts it again whenever it is found stopped',
    want({ keepRunning: true, startedGeneration: 2 }),
    undefined,
    { kind: 'start' },
  ],
  ['state Stopped stops a running server', want({ state: 'Stopped' }), ready, { kind: 'stop' }],
  [
    'state Stopped on a stopped server needs nothing',
    want({ state: 'Stopped' }),
    undefined,
    { kind: 'none', phase: 'Stopped', reason: 'Stopped' },
  ],
];

for (const [name, desired, observed, step] of rows) {
  test(name, () => assert.deepEqual(planServer(desired, observed), step));
}

test('deleting a HubServer stops what the operator started, removes a named one, and keeps what it adopted', () => {
  assert.equal(planServerDeletion(undefined, 'Created', true), 'stopAndRemove');
  assert.equal(planServerDeletion(undefined, 'Created', false), 'stop');
  assert.equal(planServerDeletion(undefined, 'Adopted', true), 'retain');
  assert.equal(planServerDeletion('Delete', 'Adopted', false), 'stop');
  assert.equal(planServerDeletion('Retain', 'Created', true), 'retain');
});
