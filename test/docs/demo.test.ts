// The judgements `make demo` makes (hack/demo/demo.ts): when an example counts as Ready, what it
// says about one that is not, and how the hub's view and the operator's log read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeNotReady,
  formatLogLine,
  hubView,
  hubopsResources,
  readiness,
  type Condition,
  type Resource,
} from '../../hack/demo/demo.ts';

function user(generation: number, conditions?: Condition[], observedGeneration?: number): Resource {
  return {
    apiVersion: 'hubops.io/v1alpha1',
    kind: 'HubUser',
    metadata: { name: 'ada', namespace: 'physics-101', generation },
    ...(conditions ? { status: { conditions, observedGeneration } } : {}),
  };
}

const ready = (observedGeneration?: number): Condition => ({
  type: 'Ready',
  status: 'True',
  reason: 'Created',
  message: 'hub user ada is as the spec says',
  ...(observedGeneration === undefined ? {} : { observedGeneration }),
});

test('an example is Ready when its Ready condition is True for the current generation', () => {
  assert.deepEqual(readiness(user(2, [ready(2)], 2)), {
    ready: true,
    why: 'Created: hub user ada is as the spec says',
  });
});

test("a Ready condition written for an older generation does not count, whatever the status's own generation", () => {
  const state = readiness(user(3, [ready(2)], 3));
  assert.equal(state.ready, false);
  assert.match(state.why, /generation 2, the spec is at 3/);
});

test("the status's observedGeneration stands in when the condition carries none", () => {
  assert.equal(readiness(user(2, [ready()], 2)).ready, true);
  assert.equal(readiness(user(2, [ready()], 1)).ready, false);
});

test('an example without status, or with Ready False, says why it is waiting', () => {
  assert.deepEqual(readiness(user(1)), { ready: false, why: 'no status yet' });
  const pending = readiness(
    user(
      1,
      [
        {
          type: 'Ready',
          status: 'False',
          reason: 'MembersPending',
          message: 'waiting for ada',
          observedGeneration: 1,
        },
      ],
      1,
    ),
  );
  assert.deepEqual(pending, { ready: false, why: 'Ready=False MembersPending: waiting for ada' });
});

test('a failed example is described with every condition, or as never reconciled', () => {
  const lines = describeNotReady(
    user(
      1,
      [
        {
          type: 'Ready',
          status: 'False',
          reason: 'UserMissing',
          message: 'no user',
          observedGeneration: 1,
        },
        {
          type: 'Synced',
          status: 'True',
          reason: 'UserMissing',
          message: 'no user',
          observedGeneration: 1,
        },
      ],
      1,
    ),
  );
  assert.equal(lines[0], 'HubUser physics-101/ada: Ready=False UserMissing: no user');
  assert.ok(lines.some((l) => l.includes('Synced=True UserMissing')));
  assert.match(describeNotReady(user(1)).join('\n'), /is a HubUser controller running/);
});

test('only hubops resources are waited for, from a List or a single object', () => {
  const list = JSON.stringify({
    kind: 'List',
    items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'physics-101' } }, user(1)],
  });
  assert.deepEqual(
    hubopsResources(list).map((r) => r.kind),
    ['HubUser'],
  );
  assert.equal(hubopsResources(JSON.stringify(user(1))).length, 1);
});

test("the hub's view lists users with admin flag and servers, and groups with members", () => {
  const text = hubView(
    [
      { name: 'grace', admin: false, servers: { '': { ready: true, url: '/user/grace/' } } },
      { name: 'ada@example.org', admin: true, servers: { demo: { pending: 'spawn' } } },
    ],
    [{ name: 'students', users: ['grace', 'alan'], properties: { course: 'physics-101' } }],
  ).join('\n');
  assert.match(text, /ada@example\.org\s+yes\s+demo pending spawn/);
  assert.match(text, /grace\s+no\s+\(default\) ready \/user\/grace\//);
  assert.match(text, /students\s+alan, grace\s+\{"course":"physics-101"\}/);
});

test('operator log lines read as time, level, message and fields', () => {
  const line = JSON.stringify({
    level: 'info',
    time: '2026-11-23T12:47:26.123Z',
    name: 'hubops',
    msg: 'Started',
    healthPort: 34103,
  });
  assert.equal(formatLogLine(line), '12:47:26 INFO  Started healthPort=34103');
  assert.equal(formatLogLine('not json'), 'not json');
});
