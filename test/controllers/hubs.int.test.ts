// Two real hubs served by one operator process (the hub of its settings, and a second one named by
// a Hub object), and the tenancy policy tried as an attacker would: from namespaces the hubs refuse
// or may not grant admin or take over, counting the hub writes that got through (must be 0) at
// proxies in front of both hubs. Also: a Hub added and removed at run time, a token rotated in its
// Secret, and one hub killed while the other keeps converging.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { z } from 'zod';
import { HubProxy, isWrite } from '../support/hub-proxy.ts';
import { ensureCrds, freshNamespace, kubeConfig, until } from '../support/kube.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { killHub, realHub, startHub, uniqueName } from '../support/real-hub.ts';
import { Resources, condition, type CustomObject } from '../support/resources.ts';
import { loadTestenv, secondHub } from '../support/testenv.ts';

const env = loadTestenv();
const second = secondHub(env);
const kc = kubeConfig(env.kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const one = realHub(env).hub;
const two = realHub(env, { baseUrl: second.apiUrl, token: second.apiToken }).hub;
let proxy1: HubProxy;
let proxy2: HubProxy;
let operator: OperatorProcess;
/** The Hubs' namespace, which may grant admin and take over; a course; a stranger. */
let platform: Resources;
let course: Resources;
let stranger: Resources;

/** Ready's reason for the object's current generation, or undefined while not yet observed. */
function readyReason(object: CustomObject): string | undefined {
  const ready = condition(object, 'Ready');
  return ready?.observedGeneration === object.metadata.generation ? ready?.reason : undefined;
}

/** Hub writes that reached a hub through its proxy and name `name` in their path or body. */
function writesAbout(proxy: HubProxy, name: string): number {
  return writeLines(proxy, name).length;
}

async function secret(namespace: string, name: string, token: string): Promise<void> {
  const body = { metadata: { name }, stringData: { token } };
  try {
    await core.createNamespacedSecret({ namespace, body });
  } catch (err) {
    if (!(err instanceof k8s.ApiException && err.code === 409)) throw err;
    await core.replaceNamespacedSecret({ namespace, name, body });
  }
}

before(async () => {
  await ensureCrds(kc);
  proxy1 = await HubProxy.start(env.hubApiUrl);
  proxy2 = await HubProxy.start(second.apiUrl);
  platform = new Resources(kc, await freshNamespace(kc, 'platform'));
  course = new Resources(kc, await freshNamespace(kc, 'course'));
  stranger = new Resources(kc, await freshNamespace(kc, 'stranger'));
  await secret(platform.namespace, 'second-token', second.apiToken);
  await platform.create('hubs', 'second', {
    url: proxy2.url(),
    tokenSecretRef: { name: 'second-token' },
    allowedNamespaces: [platform.namespace, course.namespace],
  });
  operator = startOperator(env, {
    HUB_API_URL: proxy1.url(),
    // Every namespace is watched; only these may use the hub of the settings.
    ALLOWED_NAMESPACES: `${platform.namespace},${course.namespace}`,
    ADMIN_NAMESPACES: platform.namespace,
    ADOPTION_NAMESPACES: platform.namespace,
    RESYNC_SECONDS: '5',
    LEASE_NAME: uniqueName('hubops'),
  });
  await operator.logged('Became the leader');
  await platform.settled('hubs', 'second', (h) => readyReason(h) === 'Connected', 30_000);
});
after(async () => {
  await operator.stop('SIGKILL');
  await proxy1.stop();
  await proxy2.stop();
  await one.close();
  await two.close();
});

test('a Hub reports its version, token owner and the last sweep', async () => {
  const hub = await platform.settled(
    'hubs',
    'second',
    (h) => readyReason(h) === 'Connected' && typeof h.status?.['users'] === 'number',
    30_000,
  );
  assert.equal(hub.status?.['version'], env.hubVersion);
  assert.equal(hub.status?.['tokenOwner'], 'service hubops');
  assert.deepEqual(hub.status?.['missingScopes'], []);
  assert.equal(typeof hub.status?.['lastSweepTime'], 'string');
});

test('the same username in two hubs is two users, and neither resource is a Conflict', async () => {
  const username = uniqueName('twin');
  await course.create('hubusers', 'twin-one', { username });
  await course.create('hubusers', 'twin-two', {
    username,
    hubRef: { name: 'second', namespace: platform.namespace },
  });
  for (const name of ['twin-one', 'twin-two']) {
    const object = await course.settled('hubusers', name, (o) => readyReason(o) === 'Created');
    assert.equal(object.status?.['username'], username);
  }
  assert.ok(await one.users.get(username), 'in the hub of the settings');
  assert.ok(await two.users.get(username), 'in the second hub');
  assert.equal(writesAbout(proxy1, username) > 0 && writesAbout(proxy2, username) > 0, true);
});

test('a namespace no hub admits declares an admin with deletionPolicy Delete: refused, 0 writes, the user untouched', async () => {
  const victim = uniqueName('victim');
  await one.users.createMany([victim]);
  await stranger.create('hubusers', 'takeover', {
    username: victim,
    admin: true,
    deletionPolicy: 'Delete',
  });
  const refused = await stranger.settled(
    'hubusers',
    'takeover',
    (o) => readyReason(o) === 'NamespaceNotAllowed',
  );
  assert.equal(condition(refused, 'Synced')?.status, 'False');
  await stranger.create('hubusers', 'other-hub', {
    username: victim,
    admin: true,
    hubRef: { name: 'second', namespace: platform.namespace },
  });
  await stranger.settled('hubusers', 'other-hub', (o) => readyReason(o) === 'NamespaceNotAllowed');
  await stranger.delete('hubusers', 'takeover');
  await stranger.gone('hubusers', 'takeover');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(writesAbout(proxy1, victim) + writesAbout(proxy2, victim), 0, 'hub writes');
  assert.equal((await one.users.get(victim))?.admin, false, 'still there, still no admin');
  const events = await kc.makeApiClient(k8s.EventsV1Api).listNamespacedEvent({
    namespace: stranger.namespace,
  });
  const refusals = events.items.filter(
    (e) => e.regarding?.name === 'other-hub' && e.reason === 'NamespaceNotAllowed',
  );
  assert.equal(refusals.length, 1, 'one Event, not one per round');
  await stranger.delete('hubusers', 'other-hub');
  await one.users.delete(victim);
});

test('admin from a namespace that may not grant it: AdminNotAllowed and no hub user', async () => {
  const username = uniqueName('would-be-admin');
  await course.create('hubusers', 'would-be-admin', { username, admin: true });
  await course.settled('hubusers', 'would-be-admin', (o) => readyReason(o) === 'AdminNotAllowed');
  assert.equal(writesAbout(proxy1, username), 0);
  assert.equal(await one.users.get(username), null);
  // The namespace that may grant admin does.
  await platform.create('hubusers', 'real-admin', { username, admin: true });
  await platform.settled('hubusers', 'real-admin', (o) => readyReason(o) === 'Created');
  assert.equal((await one.users.get(username))?.admin, true);
  await platform.delete('hubusers', 'real-admin');
  await course.delete('hubusers', 'would-be-admin');
});

/** Every write request about `name` that reached the hub, as "METHOD path status". */
function writeLines(proxy: HubProxy, name: string): string[] {
  return proxy.records
    .filter((r) => isWrite(r) && r.forwarded && (r.path.includes(name) || r.body.includes(name)))
    .map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')} ${r.status ?? r.withheldStatus}`);
}

test('a hub user hubops did not create is not taken over from a course namespace, nor deleted with it', async () => {
  const existing = uniqueName('existing');
  await one.users.createMany([existing]);
  // Known to the operator: a resync sweep (every 5 s here) has listed it.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  await course.create('hubusers', 'grab', { username: existing, deletionPolicy: 'Delete' });
  await course.settled('hubusers', 'grab', (o) => readyReason(o) === 'AdoptionNotAllowed');
  await course.delete('hubusers', 'grab');
  await course.gone('hubusers', 'grab');
  // Nor may the course start its server.
  await course.create('hubservers', 'grab-server', { username: existing });
  await course.settled('hubservers', 'grab-server', (o) => readyReason(o) === 'AdoptionNotAllowed');
  await course.delete('hubservers', 'grab-server');
  await course.gone('hubservers', 'grab-server');
  assert.deepEqual(writeLines(proxy1, existing), [], 'no write request about it at all');
  assert.ok(await one.users.get(existing), 'the hub user is still there');
  // The Hub's own namespace may adopt it.
  await platform.create('hubusers', 'adopt', { username: existing });
  await platform.settled('hubusers', 'adopt', (o) => readyReason(o) === 'Adopted');
  await platform.delete('hubusers', 'adopt');
  await platform.gone('hubusers', 'adopt');
  assert.ok(await one.users.get(existing), 'adopted and retained');
  await one.users.delete(existing);
});

test('a hub user made since the last sweep: the create finds it, changes nothing, and the course goes no further', async () => {
  const existing = uniqueName('unswept');
  await course.create('hubusers', 'unswept-seed', { username: uniqueName('seed') });
  await course.settled('hubusers', 'unswept-seed', (o) => readyReason(o) === 'Created');
  await one.users.createMany([existing], { admin: true });
  await course.create('hubusers', 'unswept', { username: existing, deletionPolicy: 'Delete' });
  const refused = await course.settled(
    'hubusers',
    'unswept',
    (o) => readyReason(o) === 'AdoptionNotAllowed',
  );
  assert.equal(refused.status?.['ownership'], 'Adopted');
  assert.equal(refused.metadata.annotations?.['hubops.io/ownership'], 'Adopted');
  await course.delete('hubusers', 'unswept');
  await course.gone('hubusers', 'unswept');
  assert.deepEqual(
    writeLines(proxy1, existing),
    ['POST /hub/api/users 409'],
    'only the create, which the hub answered "exists"',
  );
  assert.equal((await one.users.get(existing))?.admin, true, 'untouched');
  await one.users.delete(existing);
  await course.delete('hubusers', 'unswept-seed');
});

test('a hubRef to a missing Hub waits as HubNotFound; the Hub created later serves it, and deleting it stops that', async (t) => {
  const username = uniqueName('late');
  await course.create('hubusers', 'late', {
    username,
    hubRef: { name: 'late', namespace: platform.namespace },
  });
  await course.settled('hubusers', 'late', (o) => readyReason(o) === 'HubNotFound');
  const created = Date.now();
  await platform.create('hubs', 'late', {
    url: proxy2.url(),
    tokenSecretRef: { name: 'second-token' },
    allowedNamespaces: [course.namespace],
  });
  await course.settled('hubusers', 'late', (o) => readyReason(o) === 'Created', 30_000);
  const servedMs = Date.now() - created;
  assert.ok(await two.users.get(username));
  await platform.delete('hubs', 'late');
  await platform.gone('hubs', 'late');
  await course.settled('hubusers', 'late', (o) => readyReason(o) === 'HubNotFound');
  t.diagnostic(`a new Hub served its waiting HubUser ${servedMs} ms after it was created`);
  await course.delete('hubusers', 'late');
  await course.gone('hubusers', 'late');
  await two.users.delete(username);
});

test('a token rotated in its Secret is used without a restart', async () => {
  const rotator = uniqueName('rotator');
  await two.users.createMany([rotator], { admin: true });
  const token = await two.client.json(
    {
      method: 'POST',
      route: '/users/{name}/tokens',
      path: `/users/${rotator}/tokens`,
      body: { scopes: ['admin:users', 'admin:groups', 'admin:servers'], note: 'rotation test' },
    },
    z.object({ token: z.string() }),
  );
  await secret(platform.namespace, 'second-token', token.data.token);
  await platform.settled(
    'hubs',
    'second',
    (h) => h.status?.['tokenOwner'] === `user ${rotator}` && readyReason(h) === 'Connected',
    30_000,
  );
  const username = uniqueName('after-rotation');
  await course.create('hubusers', 'after-rotation', {
    username,
    hubRef: { name: 'second', namespace: platform.namespace },
  });
  await course.settled('hubusers', 'after-rotation', (o) => readyReason(o) === 'Created');
  await secret(platform.namespace, 'second-token', second.apiToken);
  await platform.settled(
    'hubs',
    'second',
    (h) => h.status?.['tokenOwner'] === 'service hubops',
    30_000,
  );
  // Neither token is in any log line, Event or status.
  const events = await kc.makeApiClient(k8s.EventsV1Api).listEventForAllNamespaces();
  const hubObject = await platform.get('hubs', 'second');
  const seen = [
    ...operator.lines.map((line) => JSON.stringify(line)),
    ...operator.stderr,
    ...events.items.map((e) => `${e.note ?? ''} ${e.reason ?? ''}`),
    JSON.stringify(hubObject),
  ].join('\n');
  for (const secretToken of [token.data.token, second.apiToken])
    assert.equal(seen.includes(secretToken), false, 'a token leaked');
  await course.delete('hubusers', 'after-rotation');
  await two.users.delete(rotator);
});

test('one hub killed: the other keeps converging, and the killed one catches up when it is back', async (t) => {
  killHub(env, 'hub2');
  try {
    const onFirst = uniqueName('while-down');
    const onSecond = uniqueName('waits');
    await course.create('hubusers', 'while-down', { username: onFirst });
    await course.create('hubusers', 'waits', {
      username: onSecond,
      hubRef: { name: 'second', namespace: platform.namespace },
    });
    const started = Date.now();
    await course.settled('hubusers', 'while-down', (o) => readyReason(o) === 'Created');
    t.diagnostic(`the live hub converged ${Date.now() - started} ms after the create`);
    const waiting = await course.get('hubusers', 'waits');
    assert.notEqual(waiting && readyReason(waiting), 'Created');
  } finally {
    await startHub(env, 'hub2');
  }
  await course.settled('hubusers', 'waits', (o) => readyReason(o) === 'Created', 60_000);
  await until(
    async () => (await platform.get('hubs', 'second'))?.status?.['version'] !== undefined,
    30_000,
  );
});
