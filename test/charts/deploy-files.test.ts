// The hand-written deployment files agree with the rest of the project: the z2jh values grant the
// scopes the test hub grants (hack/testenv/jupyterhub_config.py) and the token key the chart
// mounts, the chart's appVersion is package.json's version, and deploy/examples/ holds the cases
// the demo shows, all in one namespace that the folder creates first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, parseManifests, root, type Manifest } from './tools.ts';

interface Z2jhValues {
  hub: {
    services: Record<string, unknown>;
    loadRoles: Record<string, { scopes?: string[]; services?: string[] }>;
    allowNamedServers: boolean;
  };
}

const z2jh = parse(readFileSync(join(root, 'deploy/z2jh-values.yaml'), 'utf8')) as Z2jhValues;
const chartValues = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as {
  hub: { apiUrl: string; token: { existingSecret: string; existingSecretKey: string } };
};

/** The scopes of the role named after the service in the test hub's configuration. */
function testHubScopes(): string[] {
  const config = readFileSync(join(root, 'hack/testenv/jupyterhub_config.py'), 'utf8');
  const match = /"scopes":\s*\[([^\]]*)\]/.exec(config);
  assert.ok(match, 'the test hub configuration names the scopes');
  return [...(match[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '').sort();
}

test('the z2jh values register the service hubops, whose token key the chart mounts by default', () => {
  assert.deepEqual(Object.keys(z2jh.hub.services), ['hubops']);
  assert.equal(chartValues.hub.token.existingSecret, 'hub');
  assert.equal(chartValues.hub.token.existingSecretKey, 'hub.services.hubops.apiToken');
  assert.equal(chartValues.hub.apiUrl, 'http://hub:8081/hub/api');
});

test("the z2jh values give the service's role exactly the test hub's scopes, and nothing wider", () => {
  const role = z2jh.hub.loadRoles['hubops'];
  assert.ok(role);
  assert.deepEqual([...(role.scopes ?? [])].sort(), testHubScopes());
  assert.deepEqual(role.services, ['hubops']);
  for (const scope of role.scopes ?? []) assert.doesNotMatch(scope, /^(inherit|admin-ui)$|\*/);
});

test('the z2jh values make the service an admin and enable named servers', () => {
  assert.deepEqual(z2jh.hub.loadRoles['admin'], { services: ['hubops'] });
  assert.equal(z2jh.hub.allowNamedServers, true);
});

test("the chart's appVersion is package.json's version", () => {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(chart.appVersion, pkg.version);
});

const exampleDir = join(root, 'deploy/examples');
const exampleFiles = readdirSync(exampleDir)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const examples: Manifest[] = exampleFiles.flatMap((file) =>
  parseManifests(readFileSync(join(exampleDir, file), 'utf8')),
);
const ofKind = (kind: string): Manifest[] => examples.filter((m) => m.kind === kind);
const specOf = (m: Manifest): Record<string, unknown> =>
  (m['spec'] ?? {}) as Record<string, unknown>;
const usernameOf = (u: Manifest): string => {
  const username = specOf(u)['username'];
  return typeof username === 'string' ? username : u.metadata.name;
};

test('the examples live in one namespace, which the first file creates', () => {
  const first = parseManifests(readFileSync(join(exampleDir, exampleFiles[0] ?? ''), 'utf8'));
  assert.deepEqual(
    first.map((m) => m.kind),
    ['Namespace'],
  );
  const namespace = first[0]?.metadata.name;
  const rest = examples.filter((m) => m.kind !== 'Namespace');
  assert.ok(rest.length > 0);
  for (const m of rest) {
    assert.equal(m.apiVersion, 'hubops.io/v1alpha1', m.metadata.name);
    assert.equal(m.metadata.namespace, namespace, `${m.kind} ${m.metadata.name}`);
  }
});

test('the examples hold an admin and a non-admin user, one with "@" in its username', () => {
  const users = ofKind('HubUser');
  assert.ok(users.some((u) => specOf(u)['admin'] === true));
  assert.ok(users.some((u) => specOf(u)['admin'] !== true));
  assert.ok(users.some((u) => usernameOf(u).includes('@')));
});

test('the examples hold a group by member list and one by label selector that selects users', () => {
  const groups = ofKind('HubGroup');
  const usernames = new Set(ofKind('HubUser').map(usernameOf));
  const listed = groups.find((g) => Array.isArray(specOf(g)['members']));
  assert.ok(listed, 'a group with members');
  for (const member of specOf(listed)['members'] as string[]) assert.ok(usernames.has(member));
  const selecting = groups.find((g) => specOf(g)['memberSelector']);
  assert.ok(selecting, 'a group with memberSelector');
  const { matchLabels = {} } = specOf(selecting)['memberSelector'] as {
    matchLabels?: Record<string, string>;
  };
  const selected = ofKind('HubUser').filter((u) =>
    Object.entries(matchLabels).every(([k, v]) => u.metadata.labels?.[k] === v),
  );
  assert.ok(selected.length >= 2, 'the selector selects some of the example users');
});

test('the examples hold a default and a named server with user options, of example users', () => {
  const servers = ofKind('HubServer');
  const usernames = new Set(ofKind('HubUser').map(usernameOf));
  for (const s of servers) assert.ok(usernames.has(usernameOf(s)));
  assert.ok(servers.some((s) => !specOf(s)['serverName']));
  assert.ok(servers.some((s) => specOf(s)['serverName'] && specOf(s)['userOptions']));
});
