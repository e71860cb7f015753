// A status written by someone other than the leader (a replaced leader finishing a write late,
// a hand edit) is corrected at once, not at the next resync: the real kube-apiserver and hub,
// with a resync far longer than the test, so that only the change itself can wake the object.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ensureCrds, freshNamespace, kubeConfig } from '../../support/kube.ts';
import { startLeader, type OperatorProcess } from '../../support/operator.ts';
import { Resources, condition, metricSum, ready, hubWriteCount } from '../../support/resources.ts';
import { loadTestenv } from '../../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const tag = randomBytes(3).toString('hex');
let r: Resources;
let operator: OperatorProcess;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'foreign-status'));
  operator = await startLeader(env, {
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '3600',
    LEASE_NAME: `hubops-${tag}`,
  });
});
after(async () => {
  await operator.stop('SIGKILL');
});

async function counts(): Promise<{ hubWrites: number; reconciles: number }> {
  const text = await operator.metrics();
  return {
    hubWrites: hubWriteCount(text),
    reconciles: metricSum(text, 'hubops_reconcile_total', ['kind="HubUser"']),
  };
}

/** Counts once a round that wrote the status it shows has also been counted. */
async function steadyCounts(): Promise<{ hubWrites: number; reconciles: number }> {
  let last = await counts();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await counts();
    if (now.reconciles === last.reconciles) return now;
    last = now;
  }
}

test('a Ready HubUser whose status another writer turned False is Ready again within seconds, with no hub write and no loop', async (t) => {
  await r.create('hubusers', 'ada', { username: `ada-${tag}` });
  const settled = await r.settled('hubusers', 'ada', ready);
  const before = await steadyCounts();
  const started = Date.now();
  await r.patchStatus('hubusers', 'ada', {
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'HubUnavailable',
        message: 'written late by a replaced leader',
        observedGeneration: settled.metadata.generation,
        lastTransitionTime: new Date().toISOString(),
      },
    ],
  });
  const corrected = await r.settled('hubusers', 'ada', ready, 20_000);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(condition(corrected, 'Ready')?.status, 'True');
  // Long enough for a loop to show: each round would wake the next within milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const later = await counts();
  t.diagnostic(
    `corrected in ${seconds.toFixed(1)} s (resync 3600 s); reconciles ${later.reconciles - before.reconciles} in the 3 s after the write; hub writes ${later.hubWrites - before.hubWrites}`,
  );
  assert.equal(later.hubWrites - before.hubWrites, 0, 'no hub write');
  assert.equal(later.reconciles - before.reconciles, 1, 'one round corrects it; it wakes no other');
});
