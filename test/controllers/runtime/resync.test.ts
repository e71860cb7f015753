// The periodic resync's timing: a sweep waits while the hub is busy starting the operator's
// servers, and never longer than its limit. Instant clock; no hub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Resyncer } from '../../../src/controllers/runtime/resync.ts';
import {
  sweepDeferStepMs as deferStepMs,
  sweepMaxDeferMs as maxDeferMs,
} from '../../../src/controllers/runtime/timings.ts';
import type { HubHealth } from '../../../src/hub/health.ts';
import type { HubSnapshot } from '../../../src/hub/snapshot.ts';
import { silentLogger } from '../../support/logs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const health = { onChange: () => () => undefined } as unknown as HubHealth;

/**
 * Runs the periodic loop on an instant clock until its first resync, with the hub busy for the
 * first `busyChecks` looks; returns the sleeps the loop asked for until then.
 */
async function firstPeriodicResync(periodMs: number, busyChecks: number): Promise<number[]> {
  const clock = new ManualClock('instant');
  let checks = 0;
  let resyncer: Resyncer | undefined;
  const resynced = new Promise<number[]>((resolve) => {
    resyncer = new Resyncer({
      snapshot: { sweep: () => Promise.resolve() } as unknown as HubSnapshot,
      targets: [
        {
          enqueueAll: () => {
            resyncer?.stop();
            resolve([...clock.slept]);
          },
        },
      ],
      clock,
      logger: silentLogger,
      periodMs,
      hubBusy: () => checks++ < busyChecks,
    });
  });
  resyncer?.start(health);
  return resynced;
}

test('a periodic sweep waits while the hub is busy starting servers', async () => {
  const slept = await firstPeriodicResync(60_000, 3);
  assert.deepEqual(slept, [60_000, deferStepMs, deferStepMs, deferStepMs]);
});

test('a periodic sweep goes ahead when the hub is idle', async () => {
  assert.deepEqual(await firstPeriodicResync(60_000, 0), [60_000]);
});

test('a hub that stays busy puts a sweep off by at most half its period, and 30 s at most', async () => {
  for (const [periodMs, limit] of [
    [10_000, 5_000],
    [60_000, 30_000],
    [3_600_000, 30_000],
  ] as const) {
    assert.equal(maxDeferMs(periodMs), limit);
    const slept = await firstPeriodicResync(periodMs, Number.POSITIVE_INFINITY);
    assert.equal(slept[0], periodMs);
    assert.equal(
      slept.slice(1).reduce((a, b) => a + b, 0),
      limit,
      `deferred sleeps for a period of ${periodMs} ms`,
    );
  }
});
