// Which hub a resource uses and whether it may: the directory's answers for a missing Hub, one not
// yet reconciled, a namespace its policy refuses, and the default hub with and without DEFAULT_HUB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubDirectory } from '../../../src/controllers/runtime/hub-directory.ts';
import { HubUnit } from '../../../src/controllers/runtime/hub-unit.ts';
import type { Hub } from '../../../src/hub/hub.ts';
import type { TenancyPolicy } from '../../../src/plan/tenancy.ts';
import { everyNamespace } from '../../support/hubs.ts';
import { silentLogger } from '../../support/logs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const unit = (key: string, policy: TenancyPolicy = everyNamespace): HubUnit =>
  new HubUnit({
    key,
    hub: { servers: { starting: () => false } } as unknown as Hub,
    url: 'http://hub.invalid/hub/api',
    budget: { maxInFlight: 2, requestsPerSecond: 100, maxSpawnsInFlight: 64 },
    policy,
    resyncMs: 300_000,
    clock: new ManualClock('manual'),
    logger: silentLogger,
    enqueueHub: () => {},
  });
const resource = (namespace: string, hubRef?: { name: string; namespace?: string }) => ({
  metadata: { namespace },
  spec: hubRef ? { hubRef } : {},
});
const outcome = (resolution: ReturnType<HubDirectory['resolve']>): string =>
  'unit' in resolution
    ? `unit ${resolution.unit.key || '(settings)'}`
    : 'pending' in resolution
      ? 'pending'
      : resolution.refusal.reason;

test('without hubRef a resource uses the hub of the settings; with one, the Hub it names', () => {
  const hubs = new HubDirectory();
  hubs.add(unit(''));
  hubs.add(unit('jhub/main'));
  assert.equal(outcome(hubs.resolve(resource('course'))), 'unit (settings)');
  assert.equal(
    outcome(hubs.resolve(resource('course', { name: 'main', namespace: 'jhub' }))),
    'unit jhub/main',
  );
  assert.equal(outcome(hubs.resolve(resource('jhub', { name: 'main' }))), 'unit jhub/main');
});

test('a Hub that does not exist is HubNotFound; one seen but not yet reconciled is waited for', () => {
  const hubs = new HubDirectory();
  const ref = resource('course', { name: 'late', namespace: 'jhub' });
  assert.equal(outcome(hubs.resolve(ref)), 'HubNotFound');
  hubs.expect('jhub/late');
  assert.equal(outcome(hubs.resolve(ref)), 'pending');
  assert.equal(hubs.settle('jhub/late'), true, 'settling tells that resources waited');
  assert.equal(outcome(hubs.resolve(ref)), 'HubNotFound');
  assert.equal(hubs.settle('jhub/late'), false);
});

test("a namespace the hub's policy does not allow is refused before anything else", () => {
  const hubs = new HubDirectory();
  hubs.add(unit('jhub/main', { ...everyNamespace, allowed: { names: new Set(['jhub']) } }));
  assert.equal(
    outcome(hubs.resolve(resource('tenant', { name: 'main', namespace: 'jhub' }))),
    'NamespaceNotAllowed',
  );
  assert.equal(outcome(hubs.resolve(resource('jhub', { name: 'main' }))), 'unit jhub/main');
});

test('with DEFAULT_HUB, resources without hubRef use that Hub, under the same key as those naming it', () => {
  const hubs = new HubDirectory('jhub/main');
  hubs.add(unit('jhub/main'));
  const plain = resource('course');
  const named = resource('course', { name: 'main', namespace: 'jhub' });
  assert.equal(hubs.keyOf(plain), hubs.keyOf(named), 'one set of name claims for the hub');
  assert.equal(outcome(hubs.resolve(plain)), 'unit jhub/main');
});
