// The gauges read at each scrape: resources by Ready status for their current generation, and per
// hub the request budget, a Retry-After hold and the last sweep, gone once the hub is untracked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorMetrics, type HubGaugeSources } from '../src/metrics.ts';

const object = (generation: number, observed?: number, ready?: string) => ({
  metadata: { generation },
  ...(observed === undefined
    ? {}
    : {
        status: {
          observedGeneration: observed,
          conditions: ready ? [{ type: 'Ready', status: ready }] : [],
        },
      }),
});

async function lines(metrics: OperatorMetrics, name: string): Promise<string[]> {
  return (await metrics.registry.metrics())
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`));
}

test('resources count as Ready True, False, or Unknown when not reconciled since their last change', async () => {
  const metrics = new OperatorMetrics();
  metrics.trackResources('HubUser', () => [
    object(1, 1, 'True'),
    object(2, 2, 'True'),
    object(1, 1, 'False'),
    object(3, 2, 'True'),
    object(1),
    object(1, 1),
  ]);
  assert.deepEqual(await lines(metrics, 'hubops_resources'), [
    'hubops_resources{kind="HubUser",ready="True"} 2',
    'hubops_resources{kind="HubUser",ready="False"} 1',
    'hubops_resources{kind="HubUser",ready="Unknown"} 3',
  ]);
});

test("a hub's budget, write hold and last sweep are read at each scrape, and vanish when it is untracked", async () => {
  const metrics = new OperatorMetrics();
  const swept: { last: ReturnType<HubGaugeSources['lastSweep']> } = { last: undefined };
  const untrack = metrics.trackHub('ns/hub', {
    budget: () => ({
      inFlight: 3,
      spawnsInFlight: 1,
      waitingInteractive: 2,
      waitingBackground: 40,
    }),
    writesHeldMs: () => 1500,
    objects: () => ({ users: 12, groups: 3, runningServers: 5 }),
    lastSweep: () => swept.last,
  });
  assert.deepEqual(
    await lines(metrics, 'hubops_hub_last_sweep_timestamp_seconds'),
    [],
    'no sweep yet',
  );
  swept.last = {
    users: 10,
    groups: 2,
    runningServers: 4,
    endedAt: 1_700_000_000_000,
    durationMs: 250,
  };
  assert.deepEqual(await lines(metrics, 'hubops_hub_in_flight_requests'), [
    'hubops_hub_in_flight_requests{hub="ns/hub",lane="api"} 3',
    'hubops_hub_in_flight_requests{hub="ns/hub",lane="spawn"} 1',
  ]);
  assert.deepEqual(await lines(metrics, 'hubops_hub_waiting_requests'), [
    'hubops_hub_waiting_requests{hub="ns/hub",priority="interactive"} 2',
    'hubops_hub_waiting_requests{hub="ns/hub",priority="background"} 40',
  ]);
  assert.deepEqual(await lines(metrics, 'hubops_hub_writes_held_seconds'), [
    'hubops_hub_writes_held_seconds{hub="ns/hub"} 1.5',
  ]);
  assert.deepEqual(await lines(metrics, 'hubops_hub_last_sweep_timestamp_seconds'), [
    'hubops_hub_last_sweep_timestamp_seconds{hub="ns/hub"} 1700000000',
  ]);
  assert.deepEqual(await lines(metrics, 'hubops_hub_sweep_duration_seconds'), [
    'hubops_hub_sweep_duration_seconds{hub="ns/hub"} 0.25',
  ]);
  assert.deepEqual(await lines(metrics, 'hubops_hub_objects'), [
    'hubops_hub_objects{hub="ns/hub",type="users"} 12',
    'hubops_hub_objects{hub="ns/hub",type="groups"} 3',
    'hubops_hub_objects{hub="ns/hub",type="running_servers"} 5',
  ]);
  untrack();
  for (const name of [
    'hubops_hub_in_flight_requests',
    'hubops_hub_objects',
    'hubops_hub_writes_held_seconds',
  ])
    assert.deepEqual(await lines(metrics, name), [], name);
});
