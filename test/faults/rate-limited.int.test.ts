// The hub (or something in front of it) answers every write with 429 and Retry-After for a
// while, in the middle of a sync of 200 HubUsers and a group that selects them. The operator
// waits out each Retry-After before writing again, says so once per object, and converges
// after. STORM_SECONDS sets the length of the storm (default 20), RETRY_AFTER its header (5).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { HubProxy, isWrite, type ProxiedRequest } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { realHub } from '../support/real-hub.ts';
import { Resources, ready, type CustomObject } from '../support/resources.ts';
import { loadTestenv } from '../support/testenv.ts';

const env = loadTestenv();
const kc = kubeConfig(env.kubeconfig);
const { hub } = realHub(env);
const size = 200;
const stormMs = Number(process.env['STORM_SECONDS'] ?? 20) * 1000;
const retryAfterSeconds = Number(process.env['RETRY_AFTER'] ?? 5);
// Proxy and operator see an answer a moment apart; writes that close to a 429 were concurrent.
const toleranceMs = 50;
const tag = randomBytes(3).toString('hex');
const username = (i: number): string => `r${tag}-${String(i).padStart(4, '0')}`;
let r: Resources;
let proxy: HubProxy;
let operator: OperatorProcess | undefined;

before(async () => {
  await ensureCrds(kc);
  r = new Resources(kc, await freshNamespace(kc, 'ratelimit'));
  proxy = await HubProxy.start(env.hubApiUrl);
});
after(async () => {
  await operator?.stop('SIGKILL');
  await proxy.stop();
  await hub.close();
});

async function allReady(): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, 500)); // 201 reads a round: not every 50 ms
  const objects = await Promise.all([
    ...Array.from({ length: size }, (_, i) => r.get('hubusers', `u${i}`)),
    r.get('hubgroups', 'cohort'),
  ]);
  return objects.every((o): o is CustomObject => o !== undefined && ready(o));
}

/**
 * The smallest time between a 429 and a write that arrived after it. A write arriving within
 * the tolerance of the answer was already on its way (sent beside the refused one): not counted.
 */
function smallestGap(records: readonly ProxiedRequest[]): { gapMs: number; write?: string } {
  const refusals = records
    .filter((rec) => rec.status === 429 && rec.answeredAt !== undefined)
    .map((rec) => rec.answeredAt as number);
  let smallest: { gapMs: number; write?: string } = { gapMs: Infinity };
  for (const write of records.filter(isWrite)) {
    const before = refusals.filter((at) => at + toleranceMs < write.at);
    if (before.length === 0) continue;
    const gapMs = write.at - Math.max(...before);
    if (gapMs < smallest.gapMs) smallest = { gapMs, write: `${write.method} ${write.path}` };
  }
  return smallest;
}

test(`every write refused with 429 Retry-After ${retryAfterSeconds} for ${stormMs / 1000} s in a ${size}-user sync`, async (t) => {
  for (let i = 0; i < size; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, size - i) }, (_, j) =>
        r.create('hubusers', `u${i + j}`, { username: username(i + j) }, { labels: { tag } }),
      ),
    );
  }
  await r.create('hubgroups', 'cohort', {
    groupName: `r${tag}-cohort`,
    memberSelector: { matchLabels: { tag } },
  });

  proxy.faults = { refuseWrites: { retryAfterSeconds } };
  operator = startOperator(env, {
    HUB_API_URL: proxy.url(),
    WATCH_NAMESPACE: r.namespace,
    RESYNC_SECONDS: '600',
    LEASE_NAME: `ratelimit-${tag}`,
  });
  // The storm is timed from the first refusal, so that it covers the sync, not the start-up.
  await until(() => proxy.records.some((rec) => rec.status === 429), 60_000, 'a first write');
  const stormFrom = Date.now();
  await new Promise((resolve) => setTimeout(resolve, stormMs));
  proxy.faults = {};
  const stormTo = Date.now();
  await until(allReady, 120_000, 'every object Ready after the storm');
  const convergedMs = Date.now() - stormTo;

  const refused = proxy.records.filter((rec) => rec.status === 429).length;
  const stormWrites = proxy.records.filter(
    (rec) => isWrite(rec) && rec.at >= stormFrom && rec.at < stormTo,
  ).length;
  const gap = smallestGap(proxy.records);
  const events = (
    await kc.makeApiClient(k8s.EventsV1Api).listNamespacedEvent({ namespace: r.namespace })
  ).items;
  const warnings = events.filter((e) => e.type === 'Warning');
  const ours = [...(await hub.users.list()).keys()].filter((n) => n.startsWith(`r${tag}-`));
  const members = (await hub.groups.get(`r${tag}-cohort`))?.users ?? [];
  t.diagnostic(
    `storm ${stormMs / 1000} s of 429 Retry-After ${retryAfterSeconds}: ${refused} answered 429, ${stormWrites} writes attempted during it; ` +
      `smallest gap after a 429 ${(gap.gapMs / 1000).toFixed(2)} s (${gap.write ?? 'none'}); ` +
      `${events.length} Events (${warnings.length} Warning) for ${size + 1} objects; ` +
      `converged ${(convergedMs / 1000).toFixed(1)} s after the storm; ${ours.length} hub users, ${members.length} members`,
  );
  assert.ok(refused > 0, 'the storm met writes');
  assert.ok(
    gap.gapMs >= retryAfterSeconds * 1000 - toleranceMs,
    `a write came ${gap.gapMs} ms after a 429 asking for ${retryAfterSeconds} s: ${gap.write}`,
  );
  // Each object says RateLimited once (a series, not a new Event per retry), and Created once.
  assert.ok(warnings.length <= size + 1, `Warning Events: ${warnings.length}`);
  assert.ok(events.length <= 2 * (size + 1), `Events: ${events.length}`);
  assert.equal(ours.length, size, 'no hub user missing or duplicated');
  assert.deepEqual(
    [...members].sort(),
    Array.from({ length: size }, (_, i) => username(i)),
    'the group holds exactly the selected users',
  );
});
