import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder, eventName } from '../../src/kube/events.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { silentLogger } from '../support/logs.ts';
import { ManualClock } from '../support/manual-clock.ts';

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

test('an Event is named after its object and a suffix', () => {
  assert.equal(eventName('ada', '0123abcd'), 'ada.0123abcd');
});

test('a 253-character object name is cut so that the Event name is a valid name', () => {
  const suffix = 'f'.repeat(16);
  for (const object of ['a'.repeat(253), `${'a'.repeat(234)}-.b${'c'.repeat(16)}`]) {
    const name = eventName(object, suffix);
    assert.ok(name.length <= 253, `${name.length} characters`);
    assert.match(name, subdomain);
    assert.ok(name.endsWith(`.${suffix}`));
  }
});

/** Records the calls an EventRecorder makes: one line per request, method and path. */
function recordingKube(): { kube: KubeClient; calls: string[] } {
  const calls: string[] = [];
  const kube = {
    request: (method: string, path: string) => {
      calls.push(`${method} ${path.split('/').pop() ?? ''}`);
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  return { kube, calls };
}

const regardingObject = (name: string) => ({
  apiVersion: 'hubops.io/v1alpha1',
  kind: 'HubUser',
  namespace: 'team',
  name,
  uid: `uid-${name}`,
});
const failed = {
  type: 'Warning',
  reason: 'HubUnavailable',
  action: 'Reconcile',
  note: 'down',
} as const;

test('a series idle for longer than its window is forgotten, one refreshed inside it is kept', async () => {
  const clock = new ManualClock('manual');
  const { kube, calls } = recordingKube();
  const recorder = new EventRecorder(
    kube,
    {
      controller: 'hubops.io/operator',
      instance: 'test',
      seriesWindowMs: 1_000,
      seriesUpdateMs: 0,
    },
    { clock, logger: silentLogger },
  );
  await recorder.record(regardingObject('ada'), failed);
  await clock.advance(1);
  await recorder.record(regardingObject('bob'), failed);
  await clock.advance(900);
  await recorder.record(regardingObject('ada'), failed);
  await clock.advance(200);
  // bob last seen 1100 ms ago: expired although ada, recorded before him, is still young.
  await recorder.record(regardingObject('bob'), failed);
  await recorder.record(regardingObject('ada'), failed);
  const posts = calls.filter((call) => call.startsWith('POST')).length;
  const patches = calls.filter((call) => call.startsWith('PATCH'));
  assert.equal(posts, 3, calls.join('\n'));
  assert.equal(patches.length, 2, calls.join('\n'));
  assert.ok(
    patches.every((call) => call.startsWith('PATCH ada.')),
    calls.join('\n'),
  );
});

test('past a burst, Normal Events of one reason about many objects are summed up in one Event a minute; Warnings never', async () => {
  const clock = new ManualClock('manual');
  const notes: string[] = [];
  const kube = {
    request: (_method: string, _path: string, options: { body: { note: string } }) => {
      notes.push(options.body.note);
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  const recorder = new EventRecorder(
    kube,
    { controller: 'hubops.io/operator', instance: 'test' },
    { clock, logger: silentLogger },
  );
  const created = (name: string) =>
    ({ type: 'Normal', reason: 'Created', action: 'Create', note: `created ${name}` }) as const;
  for (let i = 0; i < 25; i++) {
    await recorder.record(regardingObject(`u${i}`), created(`u${i}`));
    await recorder.record(regardingObject(`u${i}`), { ...failed, note: `down ${i}` });
  }
  assert.equal(notes.filter((note) => note.startsWith('created')).length, 10, 'the burst');
  assert.equal(notes.filter((note) => note.startsWith('down')).length, 25, 'every Warning');
  await clock.advance(60_000);
  const summary = notes.slice(35);
  assert.equal(summary.length, 1, 'one summary');
  assert.match(summary[0] ?? '', /^created u24; and 14 more HubUser Events Created in team/);
  await clock.advance(60_000);
  assert.equal(notes.length, 36, 'nothing more once summed up');
  await recorder.record(regardingObject('late'), created('late'));
  assert.equal(notes.at(-1), 'created late', 'a new window writes one by one again');
});
