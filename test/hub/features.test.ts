import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featuresOf, parseVersion, type HubFeatures } from '../../src/hub/features.ts';

test('versions parse with prerelease and dev tags', () => {
  assert.deepEqual(parseVersion('6.0.0b2'), [6, 0, 0]);
  assert.deepEqual(parseVersion('4.1.6.dev0'), [4, 1, 6]);
  assert.deepEqual(parseVersion('5.5'), [5, 5, 0]);
  assert.throws(() => parseVersion('latest'), /not a JupyterHub version/);
});

const rows: [version: string, features: HubFeatures][] = [
  [
    '3.1.1',
    {
      groupProperties: false,
      sortUsers: false,
      stopCancelsSpawn: false,
      serverApiV6: false,
      shares: false,
      serverRecords: false,
      adminNeedsAdmin: false,
    },
  ],
  [
    '4.0.2',
    {
      groupProperties: true,
      sortUsers: false,
      stopCancelsSpawn: false,
      serverApiV6: false,
      shares: false,
      serverRecords: false,
      adminNeedsAdmin: false,
    },
  ],
  [
    '4.1.6',
    {
      groupProperties: true,
      sortUsers: false,
      stopCancelsSpawn: false,
      serverApiV6: false,
      shares: false,
      serverRecords: false,
      adminNeedsAdmin: true,
    },
  ],
  [
    '5.0.0',
    {
      groupProperties: true,
      sortUsers: true,
      stopCancelsSpawn: false,
      serverApiV6: false,
      shares: true,
      serverRecords: false,
      adminNeedsAdmin: false,
    },
  ],
  [
    '5.5.1',
    {
      groupProperties: true,
      sortUsers: true,
      stopCancelsSpawn: true,
      serverApiV6: false,
      shares: true,
      serverRecords: false,
      adminNeedsAdmin: true,
    },
  ],
  [
    '6.0.0b2',
    {
      groupProperties: true,
      sortUsers: true,
      stopCancelsSpawn: true,
      serverApiV6: true,
      shares: true,
      serverRecords: true,
      adminNeedsAdmin: true,
    },
  ],
  [
    '6.1.1',
    {
      groupProperties: true,
      sortUsers: true,
      stopCancelsSpawn: true,
      serverApiV6: true,
      shares: true,
      serverRecords: true,
      adminNeedsAdmin: true,
    },
  ],
];

for (const [version, features] of rows) {
  test(`JupyterHub ${version} has the features its changelog gives it`, () => {
    assert.deepEqual(featuresOf(parseVersion(version)), features);
  });
}
