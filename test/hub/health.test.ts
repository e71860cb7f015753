// The shared "hub is down" state: fail fast while down, one prober with backoff, resume on recovery.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubClient } from '../../src/hub/client.ts';
import { HubError } from '../../src/hub/errors.ts';
import type { HubStatus } from '../../src/hub/health.ts';
import { FaultHub, drop, ok } from '../support/fault-hub.ts';
import { ManualClock, until } from '../support/manual-clock.ts';
import { silentLogger } from '../support/logs.ts';

let hub: FaultHub;
before(async () => {
  hub = await FaultHub.start();
});
after(() => hub.stop());

const get = { method: 'GET', route: '/users/{name}', path: '/users/alice' } as const;

test('an unreachable hub is reported once, probed with backoff, and used again when it answers', async () => {
  const clock = new ManualClock('manual');
  const client = new HubClient({
    baseUrl: hub.url,
    token: 't',
    clock,
    logger: silentLogger,
    random: () => 0.5,
    retry: { maxAttempts: 1 },
    health: { failuresToDown: 2, probeDelayMs: 1_000, maxProbeDelayMs: 8_000 },
  });
  const changes: HubStatus[] = [];
  client.health.onChange((state) => changes.push(state.status));
  hub.otherwise(drop);

  await assert.rejects(
    client.send(get),
    (e: unknown) => e instanceof HubError && e.code === 'HUB_UNAVAILABLE',
  );
  assert.equal(client.health.state.status, 'unknown', 'one failure is not an outage');
  await assert.rejects(client.send(get));
  assert.equal(client.health.state.status, 'down');

  const sent = hub.seen.length;
  await assert.rejects(client.send(get), /not sent, the hub is unreachable/);
  assert.equal(hub.seen.length, sent, 'callers fail fast while the hub is down');

  // One simulated minute: delays of 750, 1500, 3000, then 6000 ms (jitter fixed at the middle).
  for (let elapsed = 0; elapsed < 60_000; elapsed += 250) {
    await clock.advance(250);
    await until(() => clock.sleepers === 1);
  }
  assert.equal(client.health.probes, 12);
  assert.equal(hub.seen.length, sent + 12, 'only the prober talked to the dead hub');
  assert.ok(
    hub.seen.slice(sent).every((r) => r.url === '/hub/api/'),
    'probes use the unauthenticated root',
  );

  hub.otherwise(ok({ version: '6.1.1' }));
  await clock.advance(6_000);
  await until(() => client.health.state.status === 'up');
  assert.equal((await client.send(get)).status, 200);
  assert.deepEqual(changes, ['down', 'up']);
  await client.close();
});
