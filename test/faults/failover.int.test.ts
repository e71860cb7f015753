// Two replicas share one leader Lease, each reaching the hub through its own proxy listener so
// that every hub request names its sender. The leader is SIGKILLed while HubUsers keep being
// created and edited: the standby leads within a lease duration and a retry period, the two never
// write to the hub at the same time, and everything converges with nothing missing or doubled. A
// leader stopped with SIGTERM while a hub call hangs keeps its lease until it expires, and exits
// soon after its drain deadline without waiting for the stalled call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { drainTimeoutMs } from '../../src/controllers/runtime/timings.ts';
import { HubProxy, isWrite } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, ready, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const lease = { duration: 6, renewDeadline: 4, retryPeriod: 1 };
const slackMs = 2_000;
const tag = randomBytes(3).toString('hex');
const username = (i: number): string => `f${tag}-${String(i).padStart(4, '0')}`;
let r: Resources;
let proxy: HubProxy;
const replicas: OperatorProcess[] = [];

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'failover'));
  proxy = await HubProxy.start(env.hubApiUrl);
});
after(async () => {
  await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
  await proxy.stop();
  await hub.close();
});

async function replica(name: string, leaseName = `failover-${tag}`): Promise<OperatorProcess> {
  const started = startOperator(env, {
    HUB_API_URL: await proxy.listen(name),
    POD_NAME: name,
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '600',
    LEASE_NAME: leaseName,
    LEASE_DURATION_SECONDS: String(lease.duration),
    LEASE_RENEW_DEADLINE_SECONDS: String(lease.renewDeadline),
    LEASE_RETRY_PERIOD_SECONDS: String(lease.retryPeriod),
  });
  replicas.push(started);
  return started;
}

/** Creates a HubUser every 250 ms and flips an earlier one's admin flag, until `stop` aborts. */
async function keepWorking(
  stop: AbortSignal,
  admin: Map<number, boolean>,
  tick = 250,
): Promise<void> {
  for (let i = 0; !stop.aborted; i++) {
    admin.set(i, i % 7 === 0);
    await r.create('hubusers', `u${i}`, { username: username(i), admin: i % 7 === 0 });
    if (i >= 3 && i % 2 === 1) {
      const flipped = i - 3;
      admin.set(flipped, !admin.get(flipped));
      await r.patch('hubusers', `u${flipped}`, { spec: { admin: admin.get(flipped) } });
    }
    await new Promise((resolve) => setTimeout(resolve, tick));
  }
}

test('the leader is killed mid-work: the standby takes over in time and never writes beside it', async (t) => {
  const a = await replica('replica-a');
  await a.logged('Became the leader', 30_000);
  const b = await replica('replica-b');
  await b.logged('Started', 30_000);

  const stopWork = new AbortController();
  const admin = new Map<number, boolean>();
  const work = keepWorking(stopWork.signal, admin);
  await until(
    () => proxy.records.filter((rec) => rec.via === 'replica-a' && isWrite(rec)).length >= 10,
    30_000,
    'the leader writing',
  );
  a.child.kill('SIGKILL');
  const killedAt = Date.now();
  // Counted, not timed: a write recorded in the millisecond of the kill came before it.
  const byABeforeKill = proxy.records.filter(
    (rec) => rec.via === 'replica-a' && isWrite(rec),
  ).length;
  const led = await b.logged('Became the leader', 30_000);
  const ledAt = Date.parse(String(led['time']));
  const failoverMs = ledAt - killedAt;
  await until(
    () => proxy.records.filter((rec) => rec.via === 'replica-b' && isWrite(rec)).length >= 5,
    60_000,
    'the new leader writing',
  );
  stopWork.abort();
  await work;
  const created = admin.size;
  await until(
    async () =>
      (
        await Promise.all(Array.from({ length: created }, (_, i) => r.get('hubusers', `u${i}`)))
      ).every((o): o is CustomObject => o !== undefined && ready(o)),
    120_000,
    'every HubUser Ready on the new leader',
  );

  const writes = (via: string): number[] =>
    proxy.records.filter((rec) => rec.via === via && isWrite(rec)).map((rec) => rec.at);
  const byA = writes('replica-a');
  const byB = writes('replica-b');
  const lastA = Math.max(...byA);
  const firstB = Math.min(...byB);
  const aAfterKill = byA.length - byABeforeKill;
  const bBeforeLeading = byB.filter((at) => at < ledAt).length;
  const hubUsers = await hub.users.list();
  const ours = [...hubUsers.values()].filter((u) => u.name.startsWith(`f${tag}-`));
  const wrongAdmin = ours.filter(
    (u) => admin.get(Number(u.name.slice(-4))) !== (u.admin ?? false),
  ).length;
  t.diagnostic(
    `lease ${lease.duration}/${lease.renewDeadline}/${lease.retryPeriod} s (duration/renew deadline/retry): ` +
      `new leader ${(failoverMs / 1000).toFixed(1)} s after the kill; writes: ${byA.length} by replica-a, ${byB.length} by replica-b; ` +
      `${aAfterKill} by replica-a after its kill, ${bBeforeLeading} by replica-b before it led; ` +
      `quiet gap between writers ${((firstB - lastA) / 1000).toFixed(1)} s; ${created} HubUsers, ${ours.length} hub users, ${wrongAdmin} with the wrong admin flag`,
  );
  // The standby sees the last renewal at most a retry period late and takes the lease at its
  // first poll a whole duration later; the slack covers its API round trips on a busy machine.
  assert.ok(
    failoverMs <= (lease.duration + lease.retryPeriod) * 1000 + slackMs,
    `failover took ${failoverMs} ms`,
  );
  assert.equal(bBeforeLeading, 0, 'the standby wrote nothing before it led');
  assert.equal(aAfterKill, 0, 'nothing from the killed leader after its kill');
  assert.ok(lastA < firstB, 'the two replicas never wrote in overlapping intervals');
  assert.equal(ours.length, created, 'no hub user missing or duplicated');
  assert.equal(wrongAdmin, 0, 'every admin flag as last declared');
});

test('a leader stopped with SIGTERM while a hub call hangs keeps its lease until it expires and exits soon after its drain deadline', async (t) => {
  // The first test's replicas watch the same namespace: none may act beside these two.
  await Promise.all(replicas.map((earlier) => earlier.stop('SIGKILL')));
  const leaseName = `hang-${tag}`;
  const c = await replica('replica-c', leaseName);
  await c.logged('Became the leader', 30_000);
  const d = await replica('replica-d', leaseName);
  await d.logged('Started', 30_000);
  // The leader's hub writes never reach the hub and are never answered: work the drain cannot end.
  proxy.faults = {
    stall: (rec) => (rec.via === 'replica-c' && isWrite(rec) ? 'request' : undefined),
  };
  try {
    await r.create('hubusers', 'hang', { username: `f${tag}-hang` });
    await until(
      () => proxy.records.some((rec) => rec.via === 'replica-c' && isWrite(rec)),
      30_000,
      'a hub write from the leader',
    );
    const signalledAt = Date.now();
    const exited = c.exited.then((code) => ({ code, afterMs: Date.now() - signalledAt }));
    c.child.kill('SIGTERM');
    const left = await c.logged('Left the leader lease to expire', 40_000);
    const leftAt = Date.parse(String(left['time']));
    const led = await d.logged('Became the leader', 60_000);
    const waitedMs = Date.parse(String(led['time'])) - leftAt;
    t.diagnostic(
      `the standby led ${(waitedMs / 1000).toFixed(1)} s after the stopping leader left its lease (duration ${lease.duration} s)`,
    );
    assert.ok(
      !c.lines.some((line) => line['msg'] === 'Released the leader lease'),
      'the lease is not handed back with work in flight',
    );
    // The last renewal came at most a retry period before the leader left the lease.
    assert.ok(
      waitedMs >= (lease.duration - lease.retryPeriod) * 1000,
      `the standby led ${waitedMs} ms after, before the lease expired`,
    );
    // The stalled call would hold the exit until its own timeout (30 s), and the chart's grace
    // period is 30 s: the process ends soon after the drain deadline instead, as a kill would.
    const { code, afterMs } = await exited;
    t.diagnostic(`the stopping leader exited ${(afterMs / 1000).toFixed(1)} s after SIGTERM`);
    assert.equal(code, 0);
    assert.ok(
      afterMs < drainTimeoutMs + 5_000,
      `exited ${afterMs} ms after SIGTERM; the drain deadline is ${drainTimeoutMs} ms`,
    );
    await r.settled('hubusers', 'hang', ready, 60_000);
  } finally {
    proxy.faults = {};
  }
});
