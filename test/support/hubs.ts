/**
 * A hub directory with one hub in it, the hub of the operator's settings (key ''), admitting
 * every namespace unless told otherwise: what a reconciler test needs around one Hub client.
 */
import type { Clock } from '../../src/clock.ts';
import { HubDirectory } from '../../src/controllers/runtime/hub-directory.ts';
import { HubUnit } from '../../src/controllers/runtime/hub-unit.ts';
import type { Hub } from '../../src/hub/hub.ts';
import type { TenancyPolicy } from '../../src/plan/tenancy.ts';
import { silentLogger } from './logs.ts';

export const everyNamespace: TenancyPolicy = {
  hubName: "the hub of the operator's settings",
  allowed: { every: true },
  admin: { every: true },
  adoption: { every: true },
};

export function singleHub(
  hub: Hub,
  clock: Clock,
  policy: TenancyPolicy = everyNamespace,
): { hubs: HubDirectory; unit: HubUnit } {
  const hubs = new HubDirectory();
  const unit = new HubUnit({
    key: '',
    hub,
    url: 'http://hub.invalid/hub/api',
    budget: { maxInFlight: 2, requestsPerSecond: 100, maxSpawnsInFlight: 64 },
    policy,
    resyncMs: 300_000,
    clock,
    logger: silentLogger,
    enqueueHub: () => {},
  });
  hubs.add(unit);
  return { hubs, unit };
}
